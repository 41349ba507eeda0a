export { escapeTerminal, hasTerminalControls, visibleEscape } from './terminal.js';
export { escapeGithubData, escapeGithubProperty, githubCommand } from './github.js';
export { escapeMarkdownCell, escapeMarkdownText, markdownCode } from './markdown.js';
export { escapeXmlAttribute, escapeXmlText } from './xml.js';

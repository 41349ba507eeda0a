/**
 * Every command the engine implements, one module each, and the commands that need live Splunk
 * state. A command in neither list is reported "not replayable: command X is not implemented".
 * Add a command by adding its module here.
 */
import type { Command } from '@dac/spl';
import type { CommandModule } from './command.js';
import { addinfo } from './commands/addinfo.js';
import { addtotals } from './commands/addtotals.js';
import { append, appendpipe } from './commands/append.js';
import { bin } from './commands/bin.js';
import { convert } from './commands/convert.js';
import { dedup } from './commands/dedup.js';
import { evalCommand } from './commands/eval.js';
import { eventstats } from './commands/eventstats.js';
import { fillnull } from './commands/fillnull.js';
import { foreach } from './commands/foreach.js';
import { head, reverse, tail } from './commands/head.js';
import { inputlookup } from './commands/inputlookup.js';
import { join } from './commands/join.js';
import { lookup } from './commands/lookup.js';
import { makemv } from './commands/makemv.js';
import { makeresults } from './commands/makeresults.js';
import { mvexpand } from './commands/mvexpand.js';
import { regex } from './commands/regex.js';
import { rename } from './commands/rename.js';
import { replace } from './commands/replace.js';
import { format, returnCommand } from './commands/return.js';
import { rex } from './commands/rex.js';
import { search } from './commands/search.js';
import { sort } from './commands/sort.js';
import { spath } from './commands/spath.js';
import { stats } from './commands/stats.js';
import { streamstats } from './commands/streamstats.js';
import { fields, table } from './commands/table.js';
import { transaction } from './commands/transaction.js';
import { tstats } from './commands/tstats.js';
import { where } from './commands/where.js';
import { xmlkv } from './commands/xmlkv.js';

export const COMMANDS: readonly CommandModule<Command>[] = [
  search,
  where,
  evalCommand,
  stats,
  eventstats,
  streamstats,
  bin,
  rex,
  regex,
  spath,
  lookup,
  inputlookup,
  mvexpand,
  makemv,
  foreach,
  dedup,
  sort,
  head,
  tail,
  reverse,
  join,
  append,
  appendpipe,
  table,
  fields,
  rename,
  fillnull,
  convert,
  xmlkv,
  transaction,
  makeresults,
  tstats,
  returnCommand,
  format,
  addinfo,
  replace,
  addtotals,
] as readonly CommandModule<Command>[];

/**
 * Commands whose results depend on state only a live Splunk instance has, with the reason (the
 * text follows "not replayable: command <name> ").
 */
export const LIVE_STATE_COMMANDS: Readonly<Record<string, string>> = {
  iplocation: 'needs the GeoIP database of a Splunk instance',
  geostats: 'needs the GeoIP database of a Splunk instance',
  apply: 'applies a Machine Learning Toolkit model stored on a Splunk instance',
  fit: 'trains a Machine Learning Toolkit model on a Splunk instance',
  score: 'needs the Machine Learning Toolkit of a Splunk instance',
  outputlookup: 'writes a lookup on a Splunk instance',
  outputcsv: 'writes a file on a Splunk instance',
  collect: 'writes to a summary index of a Splunk instance',
  sendalert: 'triggers an alert action of a Splunk instance',
  sendemail: 'sends e-mail from a Splunk instance',
  rest: 'queries the REST API of a Splunk instance',
  datamodel: 'reads data-model acceleration of a Splunk instance',
  pivot: 'reads data-model acceleration of a Splunk instance',
  mstats: 'reads metric indexes of a Splunk instance',
  mcatalog: 'reads metric indexes of a Splunk instance',
  metadata: 'reads index metadata of a Splunk instance',
  dbinspect: 'reads index buckets of a Splunk instance',
  loadjob: 'loads a search job of a Splunk instance',
  savedsearch: 'runs a saved search of a Splunk instance',
  summary: 'reads summary indexes of a Splunk instance',
  dbxquery: 'queries a database through Splunk DB Connect',
  inputcsv: 'reads a file on a Splunk instance',
  ldapsearch: 'queries LDAP through the Splunk Supporting Add-on for Active Directory',
  ldapgroup: 'queries LDAP through the Splunk Supporting Add-on for Active Directory',
  ldapfilter: 'queries LDAP through the Splunk Supporting Add-on for Active Directory',
  cyberchef: 'runs the CyberChef add-on of a Splunk instance',
  ut_shannon: 'runs the URL Toolbox add-on of a Splunk instance',
};

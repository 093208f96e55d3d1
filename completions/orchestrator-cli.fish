# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_orchestrator_cli_global_optspecs
    string join \n config= profile= api-url= api-key-file= cacert= proxy= no-proxy timeout= min-interval= max-interval= max-retry-after= no-long-poll jq= o/output= progress= color= cancel-on-interrupt v/verbose q/quiet h/help V/version
end

function __fish_orchestrator_cli_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_orchestrator_cli_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_orchestrator_cli_using_subcommand
    set -l cmd (__fish_orchestrator_cli_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l config -d 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l profile -d 'Apply the config file\'s `[profiles.NAME]` table (over its `[default]` table)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l cacert -d 'Trust this CA certificate (PEM) besides the system\'s, for a server with a private CA' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l proxy -d 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l jq -d 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l no-proxy -d 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "submit" -d 'Submit a task (analyze-document by default); print its id, or wait for it with --wait'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "wait" -d 'Wait for one or more tasks to finish; exits with the most severe outcome'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "status" -d 'Show the status of one or more tasks once'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "cancel" -d 'Cancel tasks that have not finished, by id (a finished one is exit 5, or nothing with --ignore-finished) or every one a filter selects'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "list" -d 'List your tasks, newest first: a table at a terminal, tab-separated lines in a pipe, an array with -o json'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "retry" -d 'Submit FAILED or CANCELLED tasks again, as new tasks (same bot, input and labels); print the new ids, or wait for them with --wait'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "events" -d 'Print your tasks\' events as they happen, until Ctrl-C: one tab-separated line each (id, event, task, state, progress, message), or JSON lines with -o json/jsonl'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "demo" -d 'Start the bundled reference server in-process and analyze a sample document: the one-command first run'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "completion" -d 'Print a shell completion script to stdout.'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "config" -d 'Show the effective settings (flags, environment, config file) and where each came from'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l document-url -d 'URL of a document to analyze (http, https, data:, or file:// where the server allows); repeat it to submit several' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l from -d 'Submit one task per line of FILE (`-`: standard input): a document URL, or a JSON request body (with --action, or for analyze-document). Blank lines and `#` comments are skipped' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l action -d 'Run another action instead of analyze-document (needs --data or --from)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l data -d 'The request\'s JSON body (of --action, else of analyze-document): inline JSON, `@FILE`, or `-` (or `@-`) for standard input' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l idempotency-key -d 'Idempotency key: resubmitting with the same key returns the same task. For several tasks it is a prefix, each task\'s key derived from it and the task\'s request, so rerunning the same batch creates nothing new' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l parallel -d 'Submit (and wait for) at most this many tasks at a time' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l label -d 'Label the task(s) KEY=VALUE, to find them again with `list --label` (repeat for several, at most 16; a key is lowercase letters, digits, `_ . -`)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l webhook -d 'Have the server POST each task\'s finish to URL (signed, Standard Webhooks; the server needs a webhook secret for your tenant). Sent outside the action\'s body' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l config -d 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l profile -d 'Apply the config file\'s `[profiles.NAME]` table (over its `[default]` table)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l cacert -d 'Trust this CA certificate (PEM) besides the system\'s, for a server with a private CA' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l proxy -d 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l jq -d 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l wait -d 'Wait for the task(s) to finish and print the result(s)'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l no-proxy -d 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand submit" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l config -d 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l profile -d 'Apply the config file\'s `[profiles.NAME]` table (over its `[default]` table)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l cacert -d 'Trust this CA certificate (PEM) besides the system\'s, for a server with a private CA' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l proxy -d 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l jq -d 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l no-proxy -d 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand wait" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l config -d 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l profile -d 'Apply the config file\'s `[profiles.NAME]` table (over its `[default]` table)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l cacert -d 'Trust this CA certificate (PEM) besides the system\'s, for a server with a private CA' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l proxy -d 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l jq -d 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l no-proxy -d 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand status" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l status -d 'Tasks in this state: PENDING, RUNNING, COMPLETED, FAILED or CANCELLED (repeat for any of several)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l bot -d 'Tasks submitted to this bot' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l action -d 'Tasks of this action (e.g. analyze-document)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l label -d 'Tasks labelled KEY=VALUE (repeat: all must match)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l since -d 'Tasks submitted within this long (`1h`, `30m`) or since this time (RFC 3339, UTC)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l config -d 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l profile -d 'Apply the config file\'s `[profiles.NAME]` table (over its `[default]` table)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l cacert -d 'Trust this CA certificate (PEM) besides the system\'s, for a server with a private CA' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l proxy -d 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l jq -d 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -s y -l yes -d 'Cancel by filter without asking (needed when not at a terminal)'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l ignore-finished -d 'A task that has already finished is no error: it is reported as such and the exit code stays 0 (as `kubectl delete --ignore-not-found`)'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l no-proxy -d 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand cancel" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l status -d 'Tasks in this state: PENDING, RUNNING, COMPLETED, FAILED or CANCELLED (repeat for any of several)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l bot -d 'Tasks submitted to this bot' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l action -d 'Tasks of this action (e.g. analyze-document)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l label -d 'Tasks labelled KEY=VALUE (repeat: all must match)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l since -d 'Tasks submitted within this long (`1h`, `30m`) or since this time (RFC 3339, UTC)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l limit -d 'Show at most this many tasks' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l config -d 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l profile -d 'Apply the config file\'s `[profiles.NAME]` table (over its `[default]` table)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l cacert -d 'Trust this CA certificate (PEM) besides the system\'s, for a server with a private CA' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l proxy -d 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l jq -d 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l all -d 'Show every matching task, page after page, as they arrive'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -s w -l watch -d 'Keep the listing live until Ctrl-C (like `kubectl get -w`): redrawn in place at a terminal; elsewhere one line per change (a new task, a state or progress change)'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l no-proxy -d 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand list" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l config -d 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l profile -d 'Apply the config file\'s `[profiles.NAME]` table (over its `[default]` table)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l cacert -d 'Trust this CA certificate (PEM) besides the system\'s, for a server with a private CA' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l proxy -d 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l jq -d 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l wait -d 'Wait for the new tasks to finish and print their results, as `submit --wait`'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l no-proxy -d 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand retry" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l status -d 'Tasks in this state: PENDING, RUNNING, COMPLETED, FAILED or CANCELLED (repeat for any of several)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l bot -d 'Tasks submitted to this bot' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l action -d 'Tasks of this action (e.g. analyze-document)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l label -d 'Tasks labelled KEY=VALUE (repeat: all must match)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l task -d 'Events of this task (repeat for several)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l since-id -d 'Start after this event id (0: every event the server keeps) instead of from now' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l config -d 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l profile -d 'Apply the config file\'s `[profiles.NAME]` table (over its `[default]` table)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l cacert -d 'Trust this CA certificate (PEM) besides the system\'s, for a server with a private CA' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l proxy -d 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l jq -d 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l no-proxy -d 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand events" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l work-time -d 'How long the demo\'s analysis takes, so the progress bar has time to move' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l config -d 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l profile -d 'Apply the config file\'s `[profiles.NAME]` table (over its `[default]` table)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l cacert -d 'Trust this CA certificate (PEM) besides the system\'s, for a server with a private CA' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l proxy -d 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l jq -d 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l no-proxy -d 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand demo" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l config -d 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l profile -d 'Apply the config file\'s `[profiles.NAME]` table (over its `[default]` table)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l cacert -d 'Trust this CA certificate (PEM) besides the system\'s, for a server with a private CA' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l proxy -d 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l jq -d 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l no-proxy -d 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand completion" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l config -d 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l profile -d 'Apply the config file\'s `[profiles.NAME]` table (over its `[default]` table)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l cacert -d 'Trust this CA certificate (PEM) besides the system\'s, for a server with a private CA' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l proxy -d 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l jq -d 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l no-proxy -d 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Print each setting, its value (the key redacted) and where it came from'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l profile -d 'Apply the config file\'s `[profiles.NAME]` table (over its `[default]` table)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l api-url -d 'Base URL of the API' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l api-key-file -d 'Read the API key from this file (first line); `-` reads it from standard input' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l cacert -d 'Trust this CA certificate (PEM) besides the system\'s, for a server with a private CA' -r -F
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l proxy -d 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l timeout -d 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l min-interval -d 'Shortest pause between polls, whatever the pace or the progress estimate says' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l max-interval -d 'Longest pause between polls (the no-progress pace grows up to this)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l max-retry-after -d 'Never wait longer than this for a server\'s Retry-After' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l jq -d 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)' -r
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives' -r -f -a "text\t'Human-readable'
json\t'One final JSON object (per task), even on failure or timeout'
jsonl\t'Every observed status as one JSON line as it arrives'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l progress -d 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines' -r -f -a "auto\t'A bar at a terminal (and `CI` unset), plain lines otherwise'
bar\t'Always the bar'
plain\t'One line per state change or 10% step, and a heartbeat every 30 s'
none\t'Nothing'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'When to use colours (`NO_COLOR` is honoured in `auto`)' -r -f -a "auto\t'Colours at a terminal, unless `NO_COLOR` is set'
always\t'Always'
never\t'Never'"
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l no-proxy -d 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l no-long-poll -d 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Less output on stderr: no progress, errors only'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print each setting, its value (the key redacted) and where it came from'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel list retry events demo completion config help" -f -a "submit" -d 'Submit a task (analyze-document by default); print its id, or wait for it with --wait'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel list retry events demo completion config help" -f -a "wait" -d 'Wait for one or more tasks to finish; exits with the most severe outcome'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel list retry events demo completion config help" -f -a "status" -d 'Show the status of one or more tasks once'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel list retry events demo completion config help" -f -a "cancel" -d 'Cancel tasks that have not finished, by id (a finished one is exit 5, or nothing with --ignore-finished) or every one a filter selects'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel list retry events demo completion config help" -f -a "list" -d 'List your tasks, newest first: a table at a terminal, tab-separated lines in a pipe, an array with -o json'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel list retry events demo completion config help" -f -a "retry" -d 'Submit FAILED or CANCELLED tasks again, as new tasks (same bot, input and labels); print the new ids, or wait for them with --wait'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel list retry events demo completion config help" -f -a "events" -d 'Print your tasks\' events as they happen, until Ctrl-C: one tab-separated line each (id, event, task, state, progress, message), or JSON lines with -o json/jsonl'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel list retry events demo completion config help" -f -a "demo" -d 'Start the bundled reference server in-process and analyze a sample document: the one-command first run'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel list retry events demo completion config help" -f -a "completion" -d 'Print a shell completion script to stdout.'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel list retry events demo completion config help" -f -a "config" -d 'Show the effective settings (flags, environment, config file) and where each came from'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and not __fish_seen_subcommand_from submit wait status cancel list retry events demo completion config help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orchestrator-cli -n "__fish_orchestrator_cli_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print each setting, its value (the key redacted) and where it came from'

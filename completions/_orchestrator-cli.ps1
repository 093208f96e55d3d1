
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'orchestrator-cli' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'orchestrator-cli'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'orchestrator-cli' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply the config file''s `[profiles.NAME]` table (over its `[default]` table)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the API')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from this file (first line); `-` reads it from standard input')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this CA certificate (PEM) besides the system''s, for a server with a private CA')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest pause between polls, whatever the pace or the progress estimate says')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between polls (the no-progress pace grows up to this)')
            [CompletionResult]::new('--max-retry-after', '--max-retry-after', [CompletionResultType]::ParameterName, 'Never wait longer than this for a server''s Retry-After')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (`NO_COLOR` is honoured in `auto`)')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY')
            [CompletionResult]::new('--no-long-poll', '--no-long-poll', [CompletionResultType]::ParameterName, 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead')
            [CompletionResult]::new('--cancel-on-interrupt', '--cancel-on-interrupt', [CompletionResultType]::ParameterName, 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('submit', 'submit', [CompletionResultType]::ParameterValue, 'Submit a task (analyze-document by default); print its id, or wait for it with --wait')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait for one or more tasks to finish; exits with the most severe outcome')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the status of one or more tasks once')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel tasks that have not finished, by id (a finished one is exit 5, or nothing with --ignore-finished) or every one a filter selects')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List your tasks, newest first: a table at a terminal, tab-separated lines in a pipe, an array with -o json')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Submit FAILED or CANCELLED tasks again, as new tasks (same bot, input and labels); print the new ids, or wait for them with --wait')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'Print your tasks'' events as they happen, until Ctrl-C: one tab-separated line each (id, event, task, state, progress, message), or JSON lines with -o json/jsonl')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start the bundled reference server in-process and analyze a sample document: the one-command first run')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout.')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the effective settings (flags, environment, config file) and where each came from')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'orchestrator-cli;submit' {
            [CompletionResult]::new('--document-url', '--document-url', [CompletionResultType]::ParameterName, 'URL of a document to analyze (http, https, data:, or file:// where the server allows); repeat it to submit several')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Submit one task per line of FILE (`-`: standard input): a document URL, or a JSON request body (with --action, or for analyze-document). Blank lines and `#` comments are skipped')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'Run another action instead of analyze-document (needs --data or --from)')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'The request''s JSON body (of --action, else of analyze-document): inline JSON, `@FILE`, or `-` (or `@-`) for standard input')
            [CompletionResult]::new('--idempotency-key', '--idempotency-key', [CompletionResultType]::ParameterName, 'Idempotency key: resubmitting with the same key returns the same task. For several tasks it is a prefix, each task''s key derived from it and the task''s request, so rerunning the same batch creates nothing new')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Submit (and wait for) at most this many tasks at a time')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Label the task(s) KEY=VALUE, to find them again with `list --label` (repeat for several, at most 16; a key is lowercase letters, digits, `_ . -`)')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'Have the server POST each task''s finish to URL (signed, Standard Webhooks; the server needs a webhook secret for your tenant). Sent outside the action''s body')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply the config file''s `[profiles.NAME]` table (over its `[default]` table)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the API')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from this file (first line); `-` reads it from standard input')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this CA certificate (PEM) besides the system''s, for a server with a private CA')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest pause between polls, whatever the pace or the progress estimate says')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between polls (the no-progress pace grows up to this)')
            [CompletionResult]::new('--max-retry-after', '--max-retry-after', [CompletionResultType]::ParameterName, 'Never wait longer than this for a server''s Retry-After')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (`NO_COLOR` is honoured in `auto`)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for the task(s) to finish and print the result(s)')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY')
            [CompletionResult]::new('--no-long-poll', '--no-long-poll', [CompletionResultType]::ParameterName, 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead')
            [CompletionResult]::new('--cancel-on-interrupt', '--cancel-on-interrupt', [CompletionResultType]::ParameterName, 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'orchestrator-cli;wait' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply the config file''s `[profiles.NAME]` table (over its `[default]` table)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the API')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from this file (first line); `-` reads it from standard input')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this CA certificate (PEM) besides the system''s, for a server with a private CA')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest pause between polls, whatever the pace or the progress estimate says')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between polls (the no-progress pace grows up to this)')
            [CompletionResult]::new('--max-retry-after', '--max-retry-after', [CompletionResultType]::ParameterName, 'Never wait longer than this for a server''s Retry-After')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (`NO_COLOR` is honoured in `auto`)')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY')
            [CompletionResult]::new('--no-long-poll', '--no-long-poll', [CompletionResultType]::ParameterName, 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead')
            [CompletionResult]::new('--cancel-on-interrupt', '--cancel-on-interrupt', [CompletionResultType]::ParameterName, 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'orchestrator-cli;status' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply the config file''s `[profiles.NAME]` table (over its `[default]` table)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the API')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from this file (first line); `-` reads it from standard input')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this CA certificate (PEM) besides the system''s, for a server with a private CA')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest pause between polls, whatever the pace or the progress estimate says')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between polls (the no-progress pace grows up to this)')
            [CompletionResult]::new('--max-retry-after', '--max-retry-after', [CompletionResultType]::ParameterName, 'Never wait longer than this for a server''s Retry-After')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (`NO_COLOR` is honoured in `auto`)')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY')
            [CompletionResult]::new('--no-long-poll', '--no-long-poll', [CompletionResultType]::ParameterName, 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead')
            [CompletionResult]::new('--cancel-on-interrupt', '--cancel-on-interrupt', [CompletionResultType]::ParameterName, 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'orchestrator-cli;cancel' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Tasks in this state: PENDING, RUNNING, COMPLETED, FAILED or CANCELLED (repeat for any of several)')
            [CompletionResult]::new('--bot', '--bot', [CompletionResultType]::ParameterName, 'Tasks submitted to this bot')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'Tasks of this action (e.g. analyze-document)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Tasks labelled KEY=VALUE (repeat: all must match)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Tasks submitted within this long (`1h`, `30m`) or since this time (RFC 3339, UTC)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply the config file''s `[profiles.NAME]` table (over its `[default]` table)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the API')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from this file (first line); `-` reads it from standard input')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this CA certificate (PEM) besides the system''s, for a server with a private CA')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest pause between polls, whatever the pace or the progress estimate says')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between polls (the no-progress pace grows up to this)')
            [CompletionResult]::new('--max-retry-after', '--max-retry-after', [CompletionResultType]::ParameterName, 'Never wait longer than this for a server''s Retry-After')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (`NO_COLOR` is honoured in `auto`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Cancel by filter without asking (needed when not at a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Cancel by filter without asking (needed when not at a terminal)')
            [CompletionResult]::new('--ignore-finished', '--ignore-finished', [CompletionResultType]::ParameterName, 'A task that has already finished is no error: it is reported as such and the exit code stays 0 (as `kubectl delete --ignore-not-found`)')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY')
            [CompletionResult]::new('--no-long-poll', '--no-long-poll', [CompletionResultType]::ParameterName, 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead')
            [CompletionResult]::new('--cancel-on-interrupt', '--cancel-on-interrupt', [CompletionResultType]::ParameterName, 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'orchestrator-cli;list' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Tasks in this state: PENDING, RUNNING, COMPLETED, FAILED or CANCELLED (repeat for any of several)')
            [CompletionResult]::new('--bot', '--bot', [CompletionResultType]::ParameterName, 'Tasks submitted to this bot')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'Tasks of this action (e.g. analyze-document)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Tasks labelled KEY=VALUE (repeat: all must match)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Tasks submitted within this long (`1h`, `30m`) or since this time (RFC 3339, UTC)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most this many tasks')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply the config file''s `[profiles.NAME]` table (over its `[default]` table)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the API')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from this file (first line); `-` reads it from standard input')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this CA certificate (PEM) besides the system''s, for a server with a private CA')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest pause between polls, whatever the pace or the progress estimate says')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between polls (the no-progress pace grows up to this)')
            [CompletionResult]::new('--max-retry-after', '--max-retry-after', [CompletionResultType]::ParameterName, 'Never wait longer than this for a server''s Retry-After')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (`NO_COLOR` is honoured in `auto`)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Show every matching task, page after page, as they arrive')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Keep the listing live until Ctrl-C (like `kubectl get -w`): redrawn in place at a terminal; elsewhere one line per change (a new task, a state or progress change)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Keep the listing live until Ctrl-C (like `kubectl get -w`): redrawn in place at a terminal; elsewhere one line per change (a new task, a state or progress change)')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY')
            [CompletionResult]::new('--no-long-poll', '--no-long-poll', [CompletionResultType]::ParameterName, 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead')
            [CompletionResult]::new('--cancel-on-interrupt', '--cancel-on-interrupt', [CompletionResultType]::ParameterName, 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'orchestrator-cli;retry' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply the config file''s `[profiles.NAME]` table (over its `[default]` table)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the API')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from this file (first line); `-` reads it from standard input')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this CA certificate (PEM) besides the system''s, for a server with a private CA')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest pause between polls, whatever the pace or the progress estimate says')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between polls (the no-progress pace grows up to this)')
            [CompletionResult]::new('--max-retry-after', '--max-retry-after', [CompletionResultType]::ParameterName, 'Never wait longer than this for a server''s Retry-After')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (`NO_COLOR` is honoured in `auto`)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for the new tasks to finish and print their results, as `submit --wait`')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY')
            [CompletionResult]::new('--no-long-poll', '--no-long-poll', [CompletionResultType]::ParameterName, 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead')
            [CompletionResult]::new('--cancel-on-interrupt', '--cancel-on-interrupt', [CompletionResultType]::ParameterName, 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'orchestrator-cli;events' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Tasks in this state: PENDING, RUNNING, COMPLETED, FAILED or CANCELLED (repeat for any of several)')
            [CompletionResult]::new('--bot', '--bot', [CompletionResultType]::ParameterName, 'Tasks submitted to this bot')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'Tasks of this action (e.g. analyze-document)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Tasks labelled KEY=VALUE (repeat: all must match)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Events of this task (repeat for several)')
            [CompletionResult]::new('--since-id', '--since-id', [CompletionResultType]::ParameterName, 'Start after this event id (0: every event the server keeps) instead of from now')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply the config file''s `[profiles.NAME]` table (over its `[default]` table)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the API')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from this file (first line); `-` reads it from standard input')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this CA certificate (PEM) besides the system''s, for a server with a private CA')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest pause between polls, whatever the pace or the progress estimate says')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between polls (the no-progress pace grows up to this)')
            [CompletionResult]::new('--max-retry-after', '--max-retry-after', [CompletionResultType]::ParameterName, 'Never wait longer than this for a server''s Retry-After')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (`NO_COLOR` is honoured in `auto`)')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY')
            [CompletionResult]::new('--no-long-poll', '--no-long-poll', [CompletionResultType]::ParameterName, 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead')
            [CompletionResult]::new('--cancel-on-interrupt', '--cancel-on-interrupt', [CompletionResultType]::ParameterName, 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'orchestrator-cli;demo' {
            [CompletionResult]::new('--work-time', '--work-time', [CompletionResultType]::ParameterName, 'How long the demo''s analysis takes, so the progress bar has time to move')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply the config file''s `[profiles.NAME]` table (over its `[default]` table)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the API')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from this file (first line); `-` reads it from standard input')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this CA certificate (PEM) besides the system''s, for a server with a private CA')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest pause between polls, whatever the pace or the progress estimate says')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between polls (the no-progress pace grows up to this)')
            [CompletionResult]::new('--max-retry-after', '--max-retry-after', [CompletionResultType]::ParameterName, 'Never wait longer than this for a server''s Retry-After')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (`NO_COLOR` is honoured in `auto`)')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY')
            [CompletionResult]::new('--no-long-poll', '--no-long-poll', [CompletionResultType]::ParameterName, 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead')
            [CompletionResult]::new('--cancel-on-interrupt', '--cancel-on-interrupt', [CompletionResultType]::ParameterName, 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'orchestrator-cli;completion' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply the config file''s `[profiles.NAME]` table (over its `[default]` table)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the API')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from this file (first line); `-` reads it from standard input')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this CA certificate (PEM) besides the system''s, for a server with a private CA')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest pause between polls, whatever the pace or the progress estimate says')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between polls (the no-progress pace grows up to this)')
            [CompletionResult]::new('--max-retry-after', '--max-retry-after', [CompletionResultType]::ParameterName, 'Never wait longer than this for a server''s Retry-After')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (`NO_COLOR` is honoured in `auto`)')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY')
            [CompletionResult]::new('--no-long-poll', '--no-long-poll', [CompletionResultType]::ParameterName, 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead')
            [CompletionResult]::new('--cancel-on-interrupt', '--cancel-on-interrupt', [CompletionResultType]::ParameterName, 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'orchestrator-cli;config' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply the config file''s `[profiles.NAME]` table (over its `[default]` table)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the API')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from this file (first line); `-` reads it from standard input')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this CA certificate (PEM) besides the system''s, for a server with a private CA')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest pause between polls, whatever the pace or the progress estimate says')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between polls (the no-progress pace grows up to this)')
            [CompletionResult]::new('--max-retry-after', '--max-retry-after', [CompletionResultType]::ParameterName, 'Never wait longer than this for a server''s Retry-After')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (`NO_COLOR` is honoured in `auto`)')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY')
            [CompletionResult]::new('--no-long-poll', '--no-long-poll', [CompletionResultType]::ParameterName, 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead')
            [CompletionResult]::new('--cancel-on-interrupt', '--cancel-on-interrupt', [CompletionResultType]::ParameterName, 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print each setting, its value (the key redacted) and where it came from')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'orchestrator-cli;config;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this config file instead of $XDG_CONFIG_HOME/orchestrator/config.toml')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply the config file''s `[profiles.NAME]` table (over its `[default]` table)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the API')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the API key from this file (first line); `-` reads it from standard input')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this CA certificate (PEM) besides the system''s, for a server with a private CA')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send requests through this proxy (http:// or https://; CONNECT for https APIs). Without it, HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest pause between polls, whatever the pace or the progress estimate says')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between polls (the no-progress pace grows up to this)')
            [CompletionResult]::new('--max-retry-after', '--max-retry-after', [CompletionResultType]::ParameterName, 'Never wait longer than this for a server''s Retry-After')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the JSON output with a jq expression (e.g. `.result.summary`); strings print raw. Implies `-o json` unless `-o jsonl` is given (then it runs on every line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (`NO_COLOR` is honoured in `auto`)')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Connect directly, ignoring HTTPS_PROXY, HTTP_PROXY and ALL_PROXY')
            [CompletionResult]::new('--no-long-poll', '--no-long-poll', [CompletionResultType]::ParameterName, 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead')
            [CompletionResult]::new('--cancel-on-interrupt', '--cancel-on-interrupt', [CompletionResultType]::ParameterName, 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less output on stderr: no progress, errors only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'orchestrator-cli;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print each setting, its value (the key redacted) and where it came from')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'orchestrator-cli;config;help;show' {
            break
        }
        'orchestrator-cli;config;help;help' {
            break
        }
        'orchestrator-cli;help' {
            [CompletionResult]::new('submit', 'submit', [CompletionResultType]::ParameterValue, 'Submit a task (analyze-document by default); print its id, or wait for it with --wait')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait for one or more tasks to finish; exits with the most severe outcome')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the status of one or more tasks once')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel tasks that have not finished, by id (a finished one is exit 5, or nothing with --ignore-finished) or every one a filter selects')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List your tasks, newest first: a table at a terminal, tab-separated lines in a pipe, an array with -o json')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Submit FAILED or CANCELLED tasks again, as new tasks (same bot, input and labels); print the new ids, or wait for them with --wait')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'Print your tasks'' events as they happen, until Ctrl-C: one tab-separated line each (id, event, task, state, progress, message), or JSON lines with -o json/jsonl')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start the bundled reference server in-process and analyze a sample document: the one-command first run')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout.')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the effective settings (flags, environment, config file) and where each came from')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'orchestrator-cli;help;submit' {
            break
        }
        'orchestrator-cli;help;wait' {
            break
        }
        'orchestrator-cli;help;status' {
            break
        }
        'orchestrator-cli;help;cancel' {
            break
        }
        'orchestrator-cli;help;list' {
            break
        }
        'orchestrator-cli;help;retry' {
            break
        }
        'orchestrator-cli;help;events' {
            break
        }
        'orchestrator-cli;help;demo' {
            break
        }
        'orchestrator-cli;help;completion' {
            break
        }
        'orchestrator-cli;help;config' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print each setting, its value (the key redacted) and where it came from')
            break
        }
        'orchestrator-cli;help;config;show' {
            break
        }
        'orchestrator-cli;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}

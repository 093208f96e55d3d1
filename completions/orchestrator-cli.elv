
use builtin;
use str;

set edit:completion:arg-completer[orchestrator-cli] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'orchestrator-cli'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'orchestrator-cli'= {
            cand --api-url 'Base URL of the API'
            cand --api-key-file 'Read the API key from this file (first line); `-` reads it from standard input'
            cand --timeout 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running'
            cand --min-interval 'Shortest pause between polls, whatever the pace or the progress estimate says'
            cand --max-interval 'Longest pause between polls (the no-progress pace grows up to this)'
            cand --max-retry-after 'Never wait longer than this for a server''s Retry-After'
            cand -o 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --output 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --progress 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines'
            cand --color 'When to use colours (`NO_COLOR` is honoured in `auto`)'
            cand --no-long-poll 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
            cand --cancel-on-interrupt 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Less output on stderr: no progress, errors only'
            cand --quiet 'Less output on stderr: no progress, errors only'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand submit 'Submit a task (analyze-document by default); print its id, or wait for it with --wait'
            cand wait 'Wait for one or more tasks to finish; exits with the most severe outcome'
            cand status 'Show a task''s status once'
            cand cancel 'Cancel a task that has not finished'
            cand demo 'Start the bundled reference server in-process and analyze a sample document: the one-command first run'
            cand generate 'Write shell completions and man pages into DIR/completions and DIR/man'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'orchestrator-cli;submit'= {
            cand --document-url 'URL of the document to analyze (http, https, data:, or file:// where the server allows)'
            cand --action 'Run another action instead of analyze-document (needs --data)'
            cand --data 'The action''s JSON body: inline JSON, `@FILE`, or `-` for standard input'
            cand --idempotency-key 'Idempotency key: resubmitting with the same key returns the same task'
            cand --api-url 'Base URL of the API'
            cand --api-key-file 'Read the API key from this file (first line); `-` reads it from standard input'
            cand --timeout 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running'
            cand --min-interval 'Shortest pause between polls, whatever the pace or the progress estimate says'
            cand --max-interval 'Longest pause between polls (the no-progress pace grows up to this)'
            cand --max-retry-after 'Never wait longer than this for a server''s Retry-After'
            cand -o 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --output 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --progress 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines'
            cand --color 'When to use colours (`NO_COLOR` is honoured in `auto`)'
            cand --wait 'Wait for the task to finish and print its result'
            cand --no-long-poll 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
            cand --cancel-on-interrupt 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Less output on stderr: no progress, errors only'
            cand --quiet 'Less output on stderr: no progress, errors only'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'orchestrator-cli;wait'= {
            cand --api-url 'Base URL of the API'
            cand --api-key-file 'Read the API key from this file (first line); `-` reads it from standard input'
            cand --timeout 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running'
            cand --min-interval 'Shortest pause between polls, whatever the pace or the progress estimate says'
            cand --max-interval 'Longest pause between polls (the no-progress pace grows up to this)'
            cand --max-retry-after 'Never wait longer than this for a server''s Retry-After'
            cand -o 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --output 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --progress 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines'
            cand --color 'When to use colours (`NO_COLOR` is honoured in `auto`)'
            cand --no-long-poll 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
            cand --cancel-on-interrupt 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Less output on stderr: no progress, errors only'
            cand --quiet 'Less output on stderr: no progress, errors only'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'orchestrator-cli;status'= {
            cand --api-url 'Base URL of the API'
            cand --api-key-file 'Read the API key from this file (first line); `-` reads it from standard input'
            cand --timeout 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running'
            cand --min-interval 'Shortest pause between polls, whatever the pace or the progress estimate says'
            cand --max-interval 'Longest pause between polls (the no-progress pace grows up to this)'
            cand --max-retry-after 'Never wait longer than this for a server''s Retry-After'
            cand -o 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --output 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --progress 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines'
            cand --color 'When to use colours (`NO_COLOR` is honoured in `auto`)'
            cand --no-long-poll 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
            cand --cancel-on-interrupt 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Less output on stderr: no progress, errors only'
            cand --quiet 'Less output on stderr: no progress, errors only'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'orchestrator-cli;cancel'= {
            cand --api-url 'Base URL of the API'
            cand --api-key-file 'Read the API key from this file (first line); `-` reads it from standard input'
            cand --timeout 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running'
            cand --min-interval 'Shortest pause between polls, whatever the pace or the progress estimate says'
            cand --max-interval 'Longest pause between polls (the no-progress pace grows up to this)'
            cand --max-retry-after 'Never wait longer than this for a server''s Retry-After'
            cand -o 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --output 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --progress 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines'
            cand --color 'When to use colours (`NO_COLOR` is honoured in `auto`)'
            cand --no-long-poll 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
            cand --cancel-on-interrupt 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Less output on stderr: no progress, errors only'
            cand --quiet 'Less output on stderr: no progress, errors only'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'orchestrator-cli;demo'= {
            cand --work-time 'How long the demo''s analysis takes, so the progress bar has time to move'
            cand --api-url 'Base URL of the API'
            cand --api-key-file 'Read the API key from this file (first line); `-` reads it from standard input'
            cand --timeout 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running'
            cand --min-interval 'Shortest pause between polls, whatever the pace or the progress estimate says'
            cand --max-interval 'Longest pause between polls (the no-progress pace grows up to this)'
            cand --max-retry-after 'Never wait longer than this for a server''s Retry-After'
            cand -o 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --output 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --progress 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines'
            cand --color 'When to use colours (`NO_COLOR` is honoured in `auto`)'
            cand --no-long-poll 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
            cand --cancel-on-interrupt 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Less output on stderr: no progress, errors only'
            cand --quiet 'Less output on stderr: no progress, errors only'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'orchestrator-cli;generate'= {
            cand --api-url 'Base URL of the API'
            cand --api-key-file 'Read the API key from this file (first line); `-` reads it from standard input'
            cand --timeout 'Give up waiting after this long (e.g. `90s`, `10m`, `1h 30m`); the task keeps running'
            cand --min-interval 'Shortest pause between polls, whatever the pace or the progress estimate says'
            cand --max-interval 'Longest pause between polls (the no-progress pace grows up to this)'
            cand --max-retry-after 'Never wait longer than this for a server''s Retry-After'
            cand -o 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --output 'Output format: `text` for people, `json` for one final object, `jsonl` for every status as it arrives'
            cand --progress 'Progress display on stderr: `auto` draws a bar at a terminal (and `CI` unset), else `plain` lines'
            cand --color 'When to use colours (`NO_COLOR` is honoured in `auto`)'
            cand --no-long-poll 'Do not ask the server to hold status requests (`Prefer: wait`); poll instead'
            cand --cancel-on-interrupt 'On Ctrl-C, cancel the task(s) being waited for instead of leaving them running'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides'
            cand -q 'Less output on stderr: no progress, errors only'
            cand --quiet 'Less output on stderr: no progress, errors only'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'orchestrator-cli;help'= {
            cand submit 'Submit a task (analyze-document by default); print its id, or wait for it with --wait'
            cand wait 'Wait for one or more tasks to finish; exits with the most severe outcome'
            cand status 'Show a task''s status once'
            cand cancel 'Cancel a task that has not finished'
            cand demo 'Start the bundled reference server in-process and analyze a sample document: the one-command first run'
            cand generate 'Write shell completions and man pages into DIR/completions and DIR/man'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'orchestrator-cli;help;submit'= {
        }
        &'orchestrator-cli;help;wait'= {
        }
        &'orchestrator-cli;help;status'= {
        }
        &'orchestrator-cli;help;cancel'= {
        }
        &'orchestrator-cli;help;demo'= {
        }
        &'orchestrator-cli;help;generate'= {
        }
        &'orchestrator-cli;help;help'= {
        }
    ]
    $completions[$command]
}

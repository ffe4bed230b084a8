function __locket_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __locket_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __locket_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __locket_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __locket_parse_tokens -S
    set -l unparsed_tokens (__locket_tokens -pc)
    switch $unparsed_tokens[1]
    case 'locket'
        __locket_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'put'
            __locket_parse_subcommand 3 'socket=' 'file=' 'text=' 'ttl=' 'if-version=' 'json' 'version' 'h/help'
        case 'get'
            __locket_parse_subcommand 2 'socket=' 'json' 'field=' 'raw' 'version' 'h/help'
        case 'delete'
            __locket_parse_subcommand 2 'socket=' 'if-version=' 'version' 'h/help'
        case 'list'
            __locket_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
        case 'status'
            __locket_parse_subcommand 0 'socket=' 'json' 'version' 'h/help'
        case 'refresh'
            __locket_parse_subcommand -r 3 'socket=' 'stale-version=' 'ttl=' 'lease-duration=' 'json' 'version' 'h/help'
        case 'lock'
            __locket_parse_subcommand 0 'socket=' 'version' 'h/help'
        case 'unlock'
            __locket_parse_subcommand 0 'socket=' 'passphrase-file=' 'version' 'h/help'
        case 'rotate'
            __locket_parse_subcommand 0 'socket=' 'version' 'h/help'
        case 'audit'
            __locket_parse_subcommand 0 'socket=' 'ns=' 'since=' 'limit=' 'json' 'version' 'h/help'
        case 'watch'
            __locket_parse_subcommand 1 'socket=' 'expiring-within=' 'json' 'version' 'h/help'
        case 'allow'
            __locket_parse_subcommand 2 'socket=' 'flatpak=' 'snap=' 'label=' 'pin-hash' 'version' 'h/help'
        case 'deny'
            __locket_parse_subcommand 2 'socket=' 'flatpak=' 'snap=' 'label=' 'version' 'h/help'
        case 'rules'
            __locket_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
        case 'export'
            __locket_parse_subcommand 0 'socket=' 'out=' 'force' 'passphrase-file=' 'json' 'version' 'h/help'
        case 'import'
            __locket_parse_subcommand 1 'socket=' 'replace' 'passphrase-file=' 'json' 'version' 'h/help'
        case 'ping'
            __locket_parse_subcommand 0 'socket=' 'version' 'h/help'
        case 'help'
            __locket_parse_subcommand -r 1 'version'
        end
    end
end

function __locket_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __locket_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __locket_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __locket_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__locket_tokens -p)
    if test -z "$(__locket_tokens -t)"
        set -l index (count (__locket_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'locket' -f
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'put' -d 'Store a JSON value under a namespace and key.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'get' -d 'Print the value stored under a namespace and key.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'delete' -d 'Delete the entry under a namespace and key.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'list' -d 'List entries (names, versions and times; never values).'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'status' -d 'Show whether the vault is locked, its key store, entries and the daemon\'s uptime.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'refresh' -d 'Refresh a shared session under a lease, or wait for whoever is refreshing it.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'lock' -d 'Lock the vault: reads and writes fail (exit 3) until \'locket unlock\'.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'unlock' -d 'Unlock the vault.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'rotate' -d 'Make a new master key and re-wrap every entry under it.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'audit' -d 'Show the access audit log: time, op, namespace, key hash, outcome and the calling program.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'watch' -d 'Print change events (changed, deleted, expired, expiring, locked, unlocked, leased, lease_ended) as they happen.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'allow' -d 'Allow a program to use a namespace; once a namespace has a rule, other programs get \'forbidden\'.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'deny' -d 'Take a program out of a namespace\'s rule, or with no PROGRAM remove the rule.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'rules' -d 'Show the access rules: for each namespace with a rule, the programs allowed to use it.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'export' -d 'Write every live entry to a backup file sealed under a passphrase.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'import' -d 'Restore the entries of a backup file made by \'locket export\'.'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'ping' -d 'Check that locketd answers (prints \'pong\').'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket put" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket put" -eq 1' -fka '(__locket_custom_completion ---completion put -- positional@0 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket put" -eq 2' -fka '(__locket_custom_completion ---completion put -- positional@1 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket put" file' -l 'file' -d 'Read the value from a file.' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket put" text' -l 'text' -d 'Store this text as a JSON string (no quoting needed).' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket put" ttl' -l 'ttl' -d 'Forget the entry after this many seconds.' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket put" if-version' -l 'if-version' -d 'Store only if the live entry has this version (0: only if absent).' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket put" json' -l 'json' -d 'Print the result as JSON: {"created":…,"version":…,"expires_at":…}.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket put" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket put" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket get" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket get" -eq 1' -fka '(__locket_custom_completion ---completion get -- positional@0 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket get" -eq 2' -fka '(__locket_custom_completion ---completion get -- positional@1 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket get" json' -l 'json' -d 'Print the whole entry as JSON: value, version, created_at, updated_at, expires_at.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket get" field' -l 'field' -d 'Print only this member of an object value (exit 1 when it has none).' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket get" raw' -l 'raw' -d 'Print a string value (or --field member) as its text, without JSON quotes and escapes.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket get" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket delete" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket delete" -eq 1' -fka '(__locket_custom_completion ---completion delete -- positional@0 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket delete" -eq 2' -fka '(__locket_custom_completion ---completion delete -- positional@1 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket delete" if-version' -l 'if-version' -d 'Delete only if the live entry has this version.' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket delete" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket list" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket list" -eq 1' -fka '(__locket_custom_completion ---completion list -- positional@0 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket list" json' -l 'json' -d 'Print a JSON array of {ns, key, version, created_at, updated_at, expires_at}.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket list" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket status" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket status" json' -l 'json' -d 'Print JSON: locked, lock_reason, key_store, key_store_notice, entries, version, uptime_s, audit, audit_dropped.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket status" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket refresh" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket refresh" -eq 1' -fka '(__locket_custom_completion ---completion refresh -- positional@0 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket refresh" -eq 2' -fka '(__locket_custom_completion ---completion refresh -- positional@1 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket refresh" stale-version' -l 'stale-version' -d 'The version whose token was rejected: a live entry with another version is printed at once.' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket refresh" ttl' -l 'ttl' -d 'Forget the stored value after this many seconds.' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket refresh" lease-duration' -l 'lease-duration' -d 'Seconds COMMAND may take (the lease\'s duration; locketd may grant less).' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket refresh" json' -l 'json' -d 'Print {"value":…,"version":…,"refreshed_here":…} instead of the value alone (refreshed_here: this process ran COMMAND and stored its output).'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket refresh" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket refresh" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket lock" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket lock" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket lock" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket unlock" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket unlock" passphrase-file' -l 'passphrase-file' -d 'Read the passphrase from the first line of this file.' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket unlock" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket unlock" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket rotate" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket rotate" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket rotate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket audit" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket audit" ns' -l 'ns' -d 'Only this namespace.' -rfka '(__locket_custom_completion ---completion audit -- --ns (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket audit" since' -l 'since' -d 'Only entries at or after this time: RFC 3339 (2026-11-22T22:10:00Z) or an age such as 30m, 2h, 7d.' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket audit" limit' -l 'limit' -d 'At most this many (the latest) entries.' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket audit" json' -l 'json' -d 'Print JSON: {items: [{time, time_ms, op, ns, key_hash, outcome, exe, exe_deleted, pid, uid, unit, flatpak, snap, label, target, count, identity_at}], damage: [...], withheld, rotated}.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket audit" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket audit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket watch" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket watch" -eq 1' -fka '(__locket_custom_completion ---completion watch -- positional@0 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket watch" expiring-within' -l 'expiring-within' -d 'Also report entries this many seconds before they expire (0: never).' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket watch" json' -l 'json' -d 'Print each event as the protocol\'s JSON object: {event, ns, key, version, expires_at, reason, outcome}.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket watch" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket watch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket allow" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket allow" -eq 1' -fka '(__locket_custom_completion ---completion allow -- positional@0 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket allow" -eq 2' -F
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket allow" flatpak' -l 'flatpak' -d 'A Flatpak app id (org.example.App): the app\'s sandbox, whatever executable it runs.' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket allow" snap' -l 'snap' -d 'A Snap name: programs the snap\'s AppArmor label (or, without AppArmor, cgroup) names.' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket allow" label' -l 'label' -d 'An AppArmor profile or SELinux context, as the kernel reports the caller\'s socket (SO_PEERSEC).' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket allow" pin-hash' -l 'pin-hash' -d 'Also pin the program\'s content (SHA-256 of the file as it is now).'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket allow" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket allow" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket deny" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket deny" -eq 1' -fka '(__locket_custom_completion ---completion deny -- positional@0 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket deny" -eq 2' -F
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket deny" flatpak' -l 'flatpak' -d 'A Flatpak app id (org.example.App): the app\'s sandbox, whatever executable it runs.' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket deny" snap' -l 'snap' -d 'A Snap name: programs the snap\'s AppArmor label (or, without AppArmor, cgroup) names.' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket deny" label' -l 'label' -d 'An AppArmor profile or SELinux context, as the kernel reports the caller\'s socket (SO_PEERSEC).' -rfka ''
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket deny" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket deny" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket rules" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket rules" -eq 1' -fka '(__locket_custom_completion ---completion rules -- positional@0 (count (__locket_tokens -pc)) (__locket_tokens -tC))'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket rules" json' -l 'json' -d 'Print a JSON array of {ns, programs: [{path, sha256}]} (a program named by sandbox identity has path null and flatpak, snap or label).'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket rules" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket rules" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket export" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket export" out' -l 'out' -d 'The backup file to write.' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket export" force' -l 'force' -d 'Replace the file if it exists.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket export" passphrase-file' -l 'passphrase-file' -d 'Read the passphrase from the first line of this file.' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket export" json' -l 'json' -d 'Print the result as JSON on stdout: {"entries":…,"vanished":…,"bytes":…} (and "ruled_out": namespaces an access rule kept from locket).'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket export" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket import" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_positional "locket import" -eq 1' -F
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket import" replace' -l 'replace' -d 'Write every entry of the backup, even over a newer one in this vault.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket import" passphrase-file' -l 'passphrase-file' -d 'Read the passphrase from the first line of this file.' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket import" json' -l 'json' -d 'Print the summary as JSON on stdout: entries, written, kept_newer, skipped_expired, conflicts, conflicted.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket import" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket ping" socket' -l 'socket' -d 'The daemon\'s socket (default: $LOCKET_SOCKET, then $XDG_RUNTIME_DIR/locket/locket.sock).' -rF
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket ping" version' -l 'version' -d 'Show the version.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket ping" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'locket' -n '__locket_should_offer_completions_for_flags_or_options "locket help" version' -l 'version' -d 'Show the version.'

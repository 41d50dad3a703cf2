# bash completion for swantop: modes, options (read from `swantop --help`, so
# they follow the program), `call` command names and `listen` event names
# (from swantop's VICI catalog), themes, and the names of the connections
# charon has loaded, from a live list-conns when its socket can be read.
# Installed as share/bash-completion/completions/swantop.

# The options of one mode ("" for the monitor), as --help lists them.
_swantop_options()
{
	local mode=$1
	"${_swantop_cmd:-swantop}" --help 2>/dev/null | awk -v mode="$mode" '
		/^usage:/ { in_usage = 1; next }
		in_usage && /^  swantop / {
			mine = (mode == "" && $2 ~ /^\[/) || $2 == mode
		}
		/^[a-z][a-z ]*options:$/ {
			in_usage = 0
			section = $1
			mine = (section == "common") || (mode == "" && section == "monitor") ||
			       section == mode
			next
		}
		mine { print }
	' | grep -oE -- '--[a-z][a-z-]+' | sort -u
}

_swantop()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local mode="" uri=() words=0 i w
	local _swantop_cmd=${COMP_WORDS[0]}
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-u | --uri) uri=(--uri "${COMP_WORDS[i + 1]}"); ((i++)) ;;
		--uri=*) uri=(--uri "${w#--uri=}") ;;
		-*) ;;
		*)
			if [ -z "$mode" ] && [[ $w =~ ^(call|listen|why|history|record)$ ]]; then
				mode=$w
			else
				((words++))
			fi
			;;
		esac
	done
	case $prev in
	-u | --uri)
		COMPREPLY=($(compgen -W "unix:///var/run/charon.vici unix:// tcp://" -- "$cur"))
		return
		;;
	-t | --theme)
		if [ -z "$mode" ]; then
			COMPREPLY=($(compgen -W "$("$_swantop_cmd" __complete themes)" -- "$cur"))
			return
		fi
		;;
	--db | --config | --replay | -j | --json)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--pane)
		COMPREPLY=($(compgen -W "sas conns pols events" -- "$cur"))
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_swantop_options "$mode")" -- "$cur"))
		return
	fi
	case $mode in
	"")
		COMPREPLY=($(compgen -W "call listen why history record" -- "$cur"))
		;;
	call)
		if [ "$words" -eq 0 ]; then
			COMPREPLY=($(compgen -W "$("$_swantop_cmd" __complete commands)" -- "$cur"))
		elif [[ $cur == ike=* || $cur == child=* ]]; then
			local key=${cur%%=*}
			COMPREPLY=($(compgen -P "$key=" -W "$("$_swantop_cmd" __complete conns "${uri[@]}" | sort -u)" -- "${cur#*=}"))
		fi
		;;
	listen)
		COMPREPLY=($(compgen -W "$("$_swantop_cmd" __complete events)" -- "$cur"))
		;;
	why | history)
		COMPREPLY=($(compgen -W "$("$_swantop_cmd" __complete conns "${uri[@]}" | sort -u)" -- "$cur"))
		;;
	esac
}
complete -F _swantop swantop

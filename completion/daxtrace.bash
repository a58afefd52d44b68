# bash completion for daxtrace(8)
_daxtrace()
{
	local cur prev words cword
	_init_completion || return

	local i
	# map: PATHs (after `--` too), files and directories
	if [[ $cword -gt 1 && ${words[1]} == map && $cur != -* ]]; then
		[[ $prev == -o || $prev == --output ]] || { _filedir; return; }
	fi
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} == -- ]]; then
			# after `--`: complete the COMMAND and its arguments
			_command_offset $((i + 1))
			return
		fi
	done
	case $prev in
		-i|--interval|-d|--duration|-n|--top|--ino|--max-inodes|--max-procs|--max-offsets|--max-hists|--max-inflight|--ringbuf-kb|--prometheus-top|-r|--rows)
			return ;;
		-s|--sort)
			# top's sort keys (src/top.h DT_TOP_SORTS)
			COMPREPLY=($(compgen -W "faults pte pmd sync fallbacks p99" -- "$cur"))
			return ;;
		-p|--pid)
			_pids; return ;;
		--hist-by)
			COMPREPLY=($(compgen -W "file process device" -- "$cur"))
			return ;;
		--btf|--prometheus|-o|--output|--path)
			_filedir; return ;;
		-c|--cgroup)
			_filedir -d; return ;;
		--dev)
			# MAJ:MIN, or a path (a mount point) once it has a '/'
			if [[ $cur == */* ]]; then _filedir; return; fi
			COMPREPLY=($(compgen -W "$(awk '{print $3}' /proc/self/mountinfo 2>/dev/null | sort -u)" -- "$cur"))
			return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_parse_help "$1" --help)" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
	elif [[ $cword == 1 ]]; then
		COMPREPLY=($(compgen -W "trace check map top" -- "$cur"))
	fi
} &&
	complete -F _daxtrace daxtrace

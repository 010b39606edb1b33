# SPDX-License-Identifier: GPL-2.0
# bash completion for mfadm(8); installed as
# /usr/share/bash-completion/completions/mfadm.
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)) is the idiom

# Names of the attached pools, from sysfs (needs no privilege).
_mfadm_pools()
{
	local d
	for d in /sys/kernel/memfabric/pools/*/; do
		[ -d "$d" ] && d=${d%/} && echo "${d##*/}"
	done
}

_mfadm_cxl_regions()
{
	local d
	for d in /sys/bus/cxl/devices/region*; do
		[ -e "$d" ] && echo "${d##*/}"
	done
}

_mfadm_dax_devices()
{
	local d
	for d in /sys/bus/dax/devices/dax*; do
		[ -e "$d" ] && echo "${d##*/}"
	done
}

# Namespaces of pool $1 ("" for every pool): needs the device.
_mfadm_namespaces()
{
	local m=${words[0]:-mfadm}
	"$m" ns list ${1:+--pool "$1"} 2>/dev/null |
		sed -n 's/^ *"name": "\(.*\)",\{0,1\}$/\1/p'
}

# Ids of the objects of namespace $2 in pool $1: needs CAP_SYS_ADMIN.
_mfadm_objects()
{
	local m=${words[0]:-mfadm}
	"$m" obj list --pool "$1" --ns "$2" 2>/dev/null |
		sed -n 's/^ *"id": "\(.*\)",\{0,1\}$/\1/p'
}

_mfadm_nodes()
{
	local d
	for d in /sys/devices/system/node/node*; do
		[ -e "$d" ] && echo "${d##*/node}"
	done
}

_mfadm()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	# Skip the global options to find the command and its subcommand.
	local i=1 cmd="" sub="" cmdi=0
	while [ $i -lt $cword ]; do
		case ${words[i]} in
		-c | --config) i=$((i + 2)); continue ;;
		-*) i=$((i + 1)); continue ;;
		esac
		if [ -z "$cmd" ]; then
			cmd=${words[i]}
			cmdi=$i
		elif [ -z "$sub" ]; then
			sub=${words[i]}
			break
		fi
		i=$((i + 1))
	done

	if [ "$prev" = -c ] || [ "$prev" = --config ]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '-c --config -q --quiet -h --help --version' -- "$cur"))
		else
			COMPREPLY=($(compgen -W 'devices help monitor ns obj pool stats version' -- "$cur"))
		fi
		return
	fi

	case $cmd in
	help)
		if [ $((cword - cmdi)) = 1 ]; then
			COMPREPLY=($(compgen -W 'devices help monitor ns obj pool stats version' -- "$cur"))
		elif [ $((cword - cmdi)) = 2 ]; then
			case ${words[cmdi + 1]} in
			pool) COMPREPLY=($(compgen -W 'add remove list check' -- "$cur")) ;;
			ns) COMPREPLY=($(compgen -W 'create destroy list' -- "$cur")) ;;
			obj) COMPREPLY=($(compgen -W 'list show free' -- "$cur")) ;;
			esac
		fi
		;;
	devices | stats | monitor)
		COMPREPLY=($(compgen -W '-u --human -h --help' -- "$cur"))
		;;
	ns | obj)
		if [ -z "$sub" ]; then
			if [ "$cmd" = ns ]; then
				COMPREPLY=($(compgen -W 'create destroy list' -- "$cur"))
			else
				COMPREPLY=($(compgen -W 'list show free' -- "$cur"))
			fi
			return
		fi
		case $prev in
		--pool)
			COMPREPLY=($(compgen -W "$(_mfadm_pools)" -- "$cur"))
			return ;;
		--ns)
			COMPREPLY=($(compgen -W "$(_mfadm_namespaces)" -- "$cur"))
			return ;;
		--secid | --ttl | --attr)
			return ;;
		esac
		if [[ $cur == -* ]]; then
			case $cmd/$sub in
			ns/create) COMPREPLY=($(compgen -W '--secid --ttl --attr --help' -- "$cur")) ;;
			ns/destroy) COMPREPLY=($(compgen -W '--secid --force --help' -- "$cur")) ;;
			ns/list) COMPREPLY=($(compgen -W '--pool -u --human --help' -- "$cur")) ;;
			obj/list) COMPREPLY=($(compgen -W '--pool --ns -u --human --help' -- "$cur")) ;;
			obj/show) COMPREPLY=($(compgen -W '-u --human --help' -- "$cur")) ;;
			obj/free) COMPREPLY=($(compgen -W '--secid --help' -- "$cur")) ;;
			esac
			return
		fi
		# Operands: POOL NS [ID], skipping options and their values.
		local ops=() k=$((cmdi + 2))
		while [ "$k" -lt "$cword" ]; do
			case ${words[k]} in
			--secid | --ttl | --attr | --pool | --ns) k=$((k + 2)); continue ;;
			-*) k=$((k + 1)); continue ;;
			esac
			ops+=("${words[k]}")
			k=$((k + 1))
		done
		case ${#ops[@]}/$cmd/$sub in
		0/ns/create | 0/ns/destroy | 0/obj/show | 0/obj/free)
			COMPREPLY=($(compgen -W "$(_mfadm_pools)" -- "$cur")) ;;
		1/ns/destroy | 1/obj/show | 1/obj/free)
			COMPREPLY=($(compgen -W "$(_mfadm_namespaces "${ops[0]}")" -- "$cur")) ;;
		2/obj/show | 2/obj/free)
			COMPREPLY=($(compgen -W "$(_mfadm_objects "${ops[0]}" "${ops[1]}")" -- "$cur")) ;;
		esac
		;;
	version)
		COMPREPLY=($(compgen -W '-h --help' -- "$cur"))
		;;
	pool)
		if [ -z "$sub" ]; then
			COMPREPLY=($(compgen -W 'add remove list check' -- "$cur"))
			return
		fi
		case $sub in
		add)
			case $prev in
			--pmem)
				COMPREPLY=($(compgen -W "$(ls /dev/pmem* 2>/dev/null)" -- "$cur"))
				return ;;
			--cxl-region)
				COMPREPLY=($(compgen -W "$(_mfadm_cxl_regions)" -- "$cur"))
				return ;;
			--dax)
				COMPREPLY=($(compgen -W "$(_mfadm_dax_devices)" -- "$cur"))
				return ;;
			--node)
				COMPREPLY=($(compgen -W "$(_mfadm_nodes)" -- "$cur"))
				return ;;
			--ram | --size)
				COMPREPLY=($(compgen -W '64M 256M 512M 1G 2G 4G' -- "$cur"))
				return ;;
			--unit)
				COMPREPLY=($(compgen -W '4K 8K 16K 32K 64K 128K 256K 512K 1M 2M' -- "$cur"))
				return ;;
			esac
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W '--pmem --cxl-region --dax --online --node --ram --size --unit --format --help' -- "$cur"))
			fi
			;;
		remove | check)
			COMPREPLY=($(compgen -W "$(_mfadm_pools)" -- "$cur"))
			;;
		list)
			COMPREPLY=($(compgen -W '-u --human' -- "$cur"))
			;;
		esac
		;;
	esac
}
complete -F _mfadm mfadm

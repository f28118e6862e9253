/// Recording stand-ins for the tools the playbook calls on hosts. Each appends one line per call to
/// `$OMNISIM_STATE/calls.log` (host, tool, arguments) and keeps just enough state per fake host for the
/// playbook to run: docker containers as files, ranktable files where the real tool would write them, and
/// short-lived TCP listeners for detached server starts so readiness checks have something to see.
enum Shims {
    static let record = """
    log_call() { { printf '%s\\t%s' "$OMNISIM_FAKE_HOST" "$1"; shift; printf '\\t%s' "$@"; printf '\\n'; } >> "$OMNISIM_STATE/calls.log"; }
    """

    static let docker = """
    #!/bin/bash
    \(record)
    log_call docker "$@"
    state="$OMNISIM_STATE/$OMNISIM_FAKE_HOST/containers"
    mkdir -p "$state"
    cmd=$1; shift
    case "$cmd" in
      inspect)
        rc=0
        for a in "$@"; do case "$a" in --format*) ;; *) if [ -f "$state/$a" ]; then echo "/$a"; else rc=1; fi ;; esac; done
        exit $rc ;;
      stop) for a in "$@"; do echo "$a"; done ;;
      images) [ -f "$state/../images" ] && cat "$state/../images"; exit 0 ;;
      ps)
        for f in "$state"/*; do
          [ -f "$f" ] || continue
          case "$f" in *.servers|*.image) continue ;; esac
          n=$(basename "$f"); printf 'id-%s\\t%s\\t%s\\trunning\\n' "$n" "$n" "$(cat "$f.image" 2>/dev/null)"
        done
        exit 0 ;;
      rm) for a in "$@"; do case "$a" in -*) ;; *) rm -f "$state/$a"; echo "$a" ;; esac; done ;;
      run)
        name=""; envs=()
        while [ $# -gt 0 ]; do case "$1" in --name) name=$2; shift ;; -e) envs+=("$2"); shift ;; esac; shift; done
        if [ -e "$state/$name" ]; then echo "docker: Conflict. The container name \\"/$name\\" is already in use." >&2; exit 125; fi
        printf '%s\\n' "${envs[@]}" > "$state/$name"
        echo "${!#}" > "$state/$name.image"
        echo "id-$name" ;;
      cp)
        name=${2%%:*}
        [ -f "$state/$name" ] || { echo "Error: No such container: $name" >&2; exit 1; } ;;
      exec)
        detach=0; envs=()
        while [ $# -gt 0 ]; do case "$1" in -e) envs+=("$2"); shift ;; -d) detach=1 ;; -*) ;; *) break ;; esac; shift; done
        name=$1; shift
        [ -f "$state/$name" ] || { echo "Error: No such container: $name" >&2; exit 1; }
        while IFS= read -r e; do [ -n "$e" ] && export "$e"; done < "$state/$name"
        for e in "${envs[@]}"; do export "$e"; done
        script=${!#}
        case "$script" in
          *generate_prefill_ranktable.sh)
            mkdir -p "$PREFILL_RANKTABLE_SAVE_PATH"
            echo '{"role": "prefill"}' > "$PREFILL_RANKTABLE_SAVE_PATH/local_ranktable_${OMNISIM_FAKE_ADDR}_${PREFILL_SERVER_LIST//,/}.json"
            echo '{"role": "api"}' > "$PREFILL_RANKTABLE_SAVE_PATH/local_ranktable_${OMNISIM_FAKE_ADDR}_host.json" ;;
          *generate_decode_ranktable.sh)
            mkdir -p "$DECODE_RANKTABLE_SAVE_PATH"
            echo '{"role": "decode"}' > "$DECODE_RANKTABLE_SAVE_PATH/local_ranktable_${OMNISIM_FAKE_ADDR}_${DECODE_SERVER_LIST//,/}.json" ;;
          *generate_global_ranktable.sh)
            echo '{"merged": true}' > "$RANKTABLE_SAVE_PATH/global/global_ranktable_merge.json" ;;
        esac
        if [ $detach = 1 ]; then
          ports=""
          case "$script" in
            *run_proxy_server.sh) ports=$PROXY_NODE_PORT ;;
            # A state file `servers-never-listen` models vLLM servers that never come up.
            *vllm_run_for_*) [ -e "$OMNISIM_STATE/servers-never-listen" ] ||
                for ((i = 0; i < ${NUM_SERVERS:-1}; i++)); do ports="$ports $((API_PORT + i))"; done ;;
            *"etcd --listen-client-urls"*) [[ $script =~ http://[^:]+:([0-9]+) ]] && ports=${BASH_REMATCH[1]} ;;
            *mooncake_master*)
              [[ $script =~ -rpc_port=([0-9]+) ]] && ports=${BASH_REMATCH[1]}
              [[ $script =~ -metrics_port=([0-9]+) ]] && ports="$ports ${BASH_REMATCH[1]}" ;;
          esac
          if [ -n "$ports" ]; then
            setsid python3 "$OMNISIM_STATE/listen.py" "$OMNISIM_FAKE_ADDR" $ports < /dev/null > /dev/null 2>&1 &
            echo $! >> "$OMNISIM_STATE/listeners.pids"
            # The container's vLLM servers, for a later SIGTERM.
            case "$script" in *vllm_run_for_*) echo $! >> "$state/$name.servers" ;; esac
          fi
        fi
        # SIGTERM to the container's vLLM servers: their listeners stop.
        case "$script" in
          *"pkill -TERM -f vllm"*) [ -f "$state/$name.servers" ] && xargs -r kill < "$state/$name.servers"; rm -f "$state/$name.servers" ;;
        esac
        exit 0 ;;
    esac
    """

    static let hccnTool = """
    #!/bin/bash
    \(record)
    log_call hccn_tool "$@"
    if [ "$1" = -i ] && [ "$3" = -ip ]; then echo "ipaddr:29.0.${OMNISIM_FAKE_ADDR##*.}.$2"; echo "netmask:255.255.255.0"; fi
    """

    /// 16 NPUs of one chip each (logic ids 0-15) and their management units, in npu-smi's layouts; a state
    /// file `npu-held` (lines `<npu> <pid> <name>`) lists processes holding NPUs.
    static let npuSmi = """
    #!/bin/bash
    \(record)
    log_call npu-smi "$@"
    held="$OMNISIM_STATE/$OMNISIM_FAKE_HOST/npu-held"
    if [ "$1 $2" = "info -m" ]; then
      printf '        %-30s %-30s %-30s %s\\n' "NPU ID" "Chip ID" "Chip Logic ID" "Chip Name"
      for i in $(seq 0 15); do
        printf '        %-30s %-30s %-30s %s\\n' "$i" 0 "$i" "Ascend 910B3"
        printf '        %-30s %-30s %-30s %s\\n' "$i" 1 - Mcu
      done
      exit 0
    fi
    echo "+---------------------------+---------------+----------------------------------------------------+"
    echo "| NPU   Name                | Health        | Power(W)    Temp(C)           Hugepages-Usage(page)|"
    echo "+===========================+===============+====================================================+"
    for i in $(seq 0 15); do echo "| $i     910B3               | OK            | 90.0        40                0    / 0             |"; done
    echo "+---------------------------+---------------+----------------------------------------------------+"
    echo "| NPU     Chip              | Process id    | Process name             | Process memory(MB)      |"
    echo "+===========================+===============+====================================================+"
    if [ -f "$held" ]; then
      while read -r npu pid name; do printf '| %-7s %-17s | %-13s | %-24s | %-23s |\\n' "$npu" 0 "$pid" "$name" 3000; done < "$held"
    else
      echo "| No running processes found in NPU 0                                                            |"
    fi
    """

    /// The real `ss`, limited to the fake host's own address (one machine's listeners).
    static let ss = """
    #!/bin/bash
    \(record)
    log_call ss "$@"
    /usr/bin/ss "$@" | grep -F " $OMNISIM_FAKE_ADDR:"
    exit 0
    """

    static let ip = """
    #!/bin/bash
    \(record)
    log_call ip "$@"
    echo "default via 192.0.2.1 dev ${OMNISIM_FAKE_IFACE:-eth0} proto static"
    """

    /// Listens on the given ports for at most two minutes, accepting and closing connections.
    static let listener = """
    import select, socket, sys, time
    addr = sys.argv[1]
    socks = []
    for p in sys.argv[2:]:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, int(p)))
        s.listen(16)
        socks.append(s)
    end = time.time() + 120
    while time.time() < end:
        ready, _, _ = select.select(socks, [], [], 1)
        for s in ready:
            c, _ = s.accept()
            c.close()
    """
}

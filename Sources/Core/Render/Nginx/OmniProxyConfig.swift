/// What the upstream `omni_proxy.sh` reads from its command line, with its defaults: the inputs of the
/// nginx configuration it writes for the Omni Proxy module (used instead of global_proxy.sh when
/// USE_OMNI_PROXY is 1).
public struct OmniProxySettings: Sendable, Hashable {
    public var nginxConfFile = "/usr/local/nginx/conf/nginx.conf"
    public var listenPort = "7150"
    public var coreNum = "4"
    public var startCoreIndex = "0"
    public var prefillEndpoints = ""
    public var decodeEndpoints = ""
    public var logFile = "/tmp/nginx_error.log"
    public var logLevel = "notice"
    public var accessLogFile = "/tmp/nginx_access.log"
    public var pdPolicy = "sequential"
    public var modelPath = ""
    public var maxBatchNumToken = "32000"
    public var prefillMaxNumSeqs = "32"
    public var decodeMaxNumSeqs = "32"
    public var prefillStarvationTimeout = "400"
    public var dryRun = false

    /// How the script ends when it does not start nginx: the exit status it gives and why.
    public struct Exit: Error, Sendable, CustomStringConvertible {
        public var status: Int32
        public var description: String
    }

    /// Reads `argv` (without the script name) as the script's option loop does. Each option takes the next
    /// word whatever it is; an option at the end has no value, and `shift 2` under `set -e` ends the script
    /// with status 1. An unknown word prints the help and exits 0, so nothing starts although the caller
    /// sees success. `--stop`, `--reload` and `--rollback` change what the script does and are not modelled.
    public init(arguments argv: [String]) throws(Exit) {
        var i = 0
        func value(_ option: String) throws(Exit) -> String {
            guard i + 1 < argv.count else { throw Exit(status: 1, description: "\(option) has no value: `shift 2` fails under `set -e`") }
            i += 2
            return argv[i - 1]
        }
        while i < argv.count {
            let option = argv[i]
            switch option {
            case "--nginx-conf-file": nginxConfFile = try value(option)
            case "--listen-port": listenPort = try value(option)
            case "--core-num": coreNum = try value(option)
            case "--start-core-index": startCoreIndex = try value(option)
            case "--prefill-endpoints": prefillEndpoints = try value(option)
            case "--decode-endpoints": decodeEndpoints = try value(option)
            case "--log-file": logFile = try value(option)
            case "--log-level": logLevel = try value(option)
            case "--access-log-file": accessLogFile = try value(option)
            case "--omni-proxy-pd-policy":
                let policy = try value(option)
                guard policy == "sequential" || policy == "parallel" else {
                    throw Exit(status: 1, description: "--omni-proxy-pd-policy must be 'sequential' or 'parallel', found '\(policy)'")
                }
                pdPolicy = policy
            case "--omni-proxy-model-path": modelPath = try value(option)
            case "--omni-proxy-max-batch-num-token": maxBatchNumToken = try value(option)
            case "--omni-proxy-prefill-max-num-seqs": prefillMaxNumSeqs = try value(option)
            case "--omni-proxy-decode-max-num-seqs": decodeMaxNumSeqs = try value(option)
            case "--omni-proxy-prefill-starvation-timeout": prefillStarvationTimeout = try value(option)
            case "--dry-run":
                dryRun = true
                i += 1
            case "--stop", "--reload", "--rollback":
                throw Exit(status: 1, description: "omnisim does not model omni_proxy.sh \(option)")
            default:
                throw Exit(status: 0, description: option == "--help" || option == "-h"
                           ? "omni_proxy.sh prints its help and exits 0: no proxy starts"
                           : "omni_proxy.sh does not know '\(option)': it prints its help and exits 0, so no proxy starts")
            }
        }
        guard !prefillEndpoints.isEmpty, !decodeEndpoints.isEmpty else {
            throw Exit(status: 1, description: "--prefill-endpoints and --decode-endpoints are required")
        }
    }

    /// The listen port as nginx reads it; nil when it is not a port number.
    public var port: Int? { Int(listenPort).flatMap { (1...65535).contains($0) ? $0 : nil } }
    public var prefillServers: [String] { Self.fields(prefillEndpoints) }
    public var decodeServers: [String] { Self.fields(decodeEndpoints) }

    /// The list as `IFS=',' read -ra` splits it: empty fields between commas kept, a trailing one dropped.
    static func fields(_ list: String) -> [String] {
        var parts = list.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "" { parts.removeLast() }
        return parts
    }
}

/// The nginx configuration omni_proxy.sh writes: the Omni Proxy module routes `/v1` requests, first to a
/// prefill server and then to a decode server; with a model path it also reads the prefill servers' KV
/// events at their API port + 100. Byte for byte what the script writes for the same settings.
public enum OmniProxyConfig {
    public static func render(_ s: OmniProxySettings) -> String {
        var out = """
        load_module /usr/local/nginx/modules/ngx_http_omni_proxy_module.so;
        load_module /usr/local/nginx/modules/ngx_http_set_request_id_module.so;

        env PYTHONHASHSEED;
        env TORCH_DEVICE_BACKEND_AUTOLOAD;
        env VLLM_PLUGINS;
        env LD_LIBRARY_PATH;
        user root;

        worker_processes \(s.coreNum);
        worker_rlimit_nofile 102400;
        worker_cpu_affinity \(affinityMasks(start: Int(s.startCoreIndex) ?? 0, count: Int(s.coreNum) ?? 0));

        error_log  \(s.logFile)  \(s.logLevel);

        events {
            use epoll;
            accept_mutex off;
            multi_accept on;
            worker_connections 102400;
        }

        http {

        """
        out += accessLogFormat
        out += """
            access_log \(s.accessLogFile) json_combined;
            
            proxy_http_version 1.1;
            tcp_nodelay on;
            client_max_body_size 10M;
            client_body_buffer_size 1M;

            proxy_read_timeout 14400s;
            proxy_connect_timeout 600s;
            proxy_send_timeout 600s;

        \(upstream("prefill_endpoints", s.prefillServers))
            
        \(upstream("decode_endpoints", s.decodeServers))

            server {
                listen \(s.listenPort) reuseport;
                server_name localhost;

                location /v1 {
                    set_request_id on;
                    omni_proxy decode_endpoints;
                    omni_proxy_pd_policy \(s.pdPolicy);
                    omni_proxy_max_batch_num_token \(s.maxBatchNumToken);
                    omni_proxy_prefill_max_num_seqs \(s.prefillMaxNumSeqs);
                    omni_proxy_decode_max_num_seqs \(s.decodeMaxNumSeqs);
                    omni_proxy_prefill_starvation_timeout \(s.prefillStarvationTimeout);

        """
        if !s.modelPath.isEmpty {
            out += """
                        omni_proxy_model_path \(s.modelPath);
                        omni_proxy_vllm_kv_port_offset \(kvEventPortOffset);

            """
        }
        out += """
                    chunked_transfer_encoding off;
                    proxy_buffering off;
                    send_timeout 1h;
                    postpone_output 0;
                }

                location = /omni_proxy/metrics {
                    omni_proxy_metrics on;
                    default_type text/plain;
                }

                location = /omni_proxy/health {
                    omni_proxy_health_status on;
                    default_type application/json; 
                }

                location ~ ^/prefill_sub(?<orig>/.*)$ {
                    internal;
                    proxy_pass http://prefill_endpoints$orig$is_args$args;
                    subrequest_output_buffer_size 1M;
                }
            }
        }

        """
        return out
    }

    /// The offset from a prefill server's API port to its KV-events publisher port, which the proxy and
    /// the prefill run script agree on.
    public static let kvEventPortOffset = 100

    /// One CPU mask per worker: worker i runs on core start + i, written as a binary number.
    static func affinityMasks(start: Int, count: Int) -> String {
        (0..<max(count, 0)).map { "1" + String(repeating: "0", count: start + $0) }.joined(separator: " ")
    }

    static func upstream(_ name: String, _ servers: [String]) -> String {
        var lines = ["    upstream \(name) {", "        keepalive 2048;", "        keepalive_timeout 110s;", "        keepalive_requests 20000;"]
        for server in servers { lines.append("        server \(server) max_fails=3 fail_timeout=10s;") }
        lines.append("    }")
        return lines.joined(separator: "\n")
    }

    /// The access-log format the script declares: one JSON object per request with the module's timings.
    static let accessLogFormat = """
            log_format json_combined escape=json
            '{'
                'time:"$msec",'
                'request_id:"$http_x_request_id",'
                'request_time:"$request_time",'
                'upstream_addr:"$upstream_addr",'
                'connection_info:"$connection:$connection_time",'
                'time_iso8601:"$time_iso8601",'
                'status:"$status",'
                'upstream_connect_time:"$upstream_connect_time",'
                'upstream_header_time:"$upstream_header_time",'
                'upstream_response_time:"$upstream_response_time",'
                'upstream_bytes_received:"$upstream_bytes_received",'
                'body_bytes_sent:"$body_bytes_sent",'
                'promt_tks:"$promt_tks",'
                'decoded_tks:"$decoded_tks",'
                'max_tks:"$max_tks",'
                'max_match:"$max_match",'
                'rcved:"$rcved",'
                'cont_rcved:"$cont_rcved",'
                'tknized:"$tknized",'
                'apc:"$apc",'
                'wait_p:"$wait_p",'
                'p_sched:"$p_sched",'
                'to_p:"$to_p",'
                'p_ed:"$p_ed",'
                'wait_d:"$wait_d",'
                'd_sched:"$d_sched",'
                'to_d:"$to_d",'
                '1st_tk:"$1st_tk",'
                'tpot:"$tpot",'
                'ttft:"$ttft",'
                'latency:"$latency"'
            '}';

        """
}

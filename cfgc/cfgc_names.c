/*
 * cfgc_names.c — the word tables of the language: reserved keywords and
 * core parameters.
 *
 * Owns: cfgc_is_keyword() (the words the preprocessor never expands as
 * defines, spec §1.10) and cfgc_core_param() (the `name = value` global
 * parameters of spec §3.2, with their aliases and value kinds).
 *
 * Core parameter names are not keywords here: the lexer hands them to the
 * grammar as ordinary identifiers and the `name = value` rule looks them up
 * in this table (Kamailio's scanner has one token per parameter instead).
 *
 * Both tables are sorted (strcmp order) and searched by bisection; a test
 * in regress/parse checks the order.
 */
#include <string.h>

#include "cfgc_int.h"

/* Reserved words, spec §1.10, without the core parameter names of §3.2
 * (force_rport, add_rport and udp_mtu_try_proto stay: they are core
 * actions too). */
static const char *const keywords[] = {
	"(int)", "(str)", "ADVERTISE", "AGNAME", "INET", "INET6", "IPV4",
	"IPV6", "IPv4", "IPv6", "NAME", "SCTP", "SSLV2", "SSLV23", "SSLV3",
	"SSLv2", "SSLv23", "SSLv3", "TCP", "TLS", "TLSV1", "TLSv1", "UDP",
	"VRF", "WS", "WSS", "add_local_rport", "add_rport", "add_tcp_alias",
	"advertise", "af", "agname", "alias", "and", "avpflags", "bind",
	"bool", "branch_route", "break", "case", "cfg_reset", "cfg_select",
	"cfgengine", "clear_branches", "coreparam", "default", "defined",
	"desc", "descr", "description", "disable", "domain", "drop", "dst_ip",
	"dst_port", "else", "enable", "eq", "error", "event_route",
	"event_route_callback", "exec", "exit", "failure_route", "false",
	"flags", "force_rport", "force_send_socket", "force_tcp_alias",
	"forward", "forward_sctp", "forward_tcp", "forward_tls", "forward_udp",
	"from_uri", "ieq", "if", "import_file", "include_file", "ine", "inet",
	"inet6", "ipv4", "ipv6", "isavpflagset", "isflagset", "kemi", "listen",
	"loadmodule", "loadmodulex", "loadpath", "log", "max_len", "method",
	"mod", "modparam", "modparamx", "mpath", "msg:len", "myself", "name",
	"ne", "no", "not", "off", "on", "onreply_route", "onsend_route",
	"onsend_route_callback", "or", "pre_routing_callback", "prefix",
	"proto", "received_route_callback", "remove_branch", "reply_route",
	"reply_route_callback", "request_route", "request_route_callback",
	"resetavpflag", "resetflag", "return", "revert_uri", "rewritehost",
	"rewritehostport", "rewritehostporttrans", "rewriteport", "rewriteuri",
	"rewriteuser", "rewriteuserpass", "route", "sctp", "selval",
	"set_advertised_address", "set_advertised_port", "set_forward_close",
	"set_forward_no_connect", "set_reply_close", "set_reply_no_connect",
	"setavpflag", "setflag", "seth", "sethost", "sethostport",
	"sethostporttrans", "sethp", "sethpt", "setp", "setport", "setu",
	"setup", "seturi", "setuser", "setuserpass", "snd_af", "snd_ip",
	"snd_port", "snd_proto", "socket", "src_ip", "src_port", "sslv2",
	"sslv23", "sslv3", "statistics", "status", "strempty", "strip",
	"strip_tail", "strlen", "switch", "tcp", "tls", "tlsv1", "to_af",
	"to_ip", "to_port", "to_proto", "to_uri", "true", "udp",
	"udp_mtu_try_proto", "uri", "uri:host", "uri:port", "userphone",
	"virtual", "vrf", "while", "workers", "ws", "wss", "yes",
};

static int cmp_word(const char *w, const char *s, size_t n)
{
	int c = strncmp(w, s, n);
	if (c)
		return c;
	return w[n] != '\0';
}

/* Is s[0..n) a reserved word? */
int cfgc_is_keyword(const char *s, size_t n)
{
	size_t lo = 0, hi = sizeof(keywords) / sizeof(keywords[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_word(keywords[mid], s, n);
		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* One core parameter name: the name as written, the canonical name, the
 * value kind, and whether only Kamailio releases after 5.6 know it (those
 * are refused, as 5.6.3 does, with a hint). */
typedef struct {
	const char *name;
	const char *canon;
	int kind;
	int newer;
} core_param;

/* Spec §3.2, checked against Kamailio 5.6.3 (`kamailio -c` on one
 * `name = value` line per entry and per value kind). */
static const core_param core_params[] = {
	{ "add_rport", "force_rport", CP_INT, 0 },
	{ "advertised_address", "advertised_address", CP_ADDR, 0 },
	{ "advertised_port", "advertised_port", CP_INT, 0 },
	{ "alias", "alias", CP_SOCKETS, 0 },
	{ "async_nonblock", "async_nonblock", CP_INT, 0 },
	{ "async_tkv_evcb", "async_tkv_evcb", CP_STR, 1 },
	{ "async_tkv_gname", "async_tkv_gname", CP_STR, 1 },
	{ "async_usleep", "async_usleep", CP_INT, 0 },
	{ "async_workers", "async_workers", CP_INT, 0 },
	{ "async_workers_group", "async_workers_group", CP_STR, 0 },
	{ "auto_aliases", "auto_aliases", CP_INT, 0 },
	{ "auto_bind_ipv6", "auto_bind_ipv6", CP_INT, 0 },
	{ "auto_domains", "auto_domains", CP_INT, 1 },
	{ "bind_ipv6_link_local", "bind_ipv6_link_local", CP_INT, 0 },
	{ "check_via", "check_via", CP_INT, 0 },
	{ "children", "children", CP_INT, 0 },
	{ "chroot", "chroot", CP_STR_OR_ID, 0 },
	{ "core_log", "corelog", CP_INT_SIGNED, 0 },
	{ "corelog", "corelog", CP_INT_SIGNED, 0 },
	{ "debug", "debug", CP_INT_SIGNED, 0 },
	{ "disable_core_dump", "disable_core_dump", CP_INT, 0 },
	{ "disable_sctp", "disable_sctp", CP_INT, 0 },
	{ "disable_tcp", "disable_tcp", CP_INT, 0 },
	{ "disable_tls", "disable_tls", CP_INT, 0 },
	{ "dns", "dns", CP_INT, 0 },
	{ "dns_cache_del_nonexp", "dns_cache_del_nonexp", CP_INT, 0 },
	{ "dns_cache_delete_nonexpired", "dns_cache_del_nonexp", CP_INT, 0 },
	{ "dns_cache_flags", "dns_cache_flags", CP_INT, 0 },
	{ "dns_cache_gc_interval", "dns_cache_gc_interval", CP_INT, 0 },
	{ "dns_cache_init", "dns_cache_init", CP_INT, 0 },
	{ "dns_cache_max_ttl", "dns_cache_max_ttl", CP_INT, 0 },
	{ "dns_cache_mem", "dns_cache_mem", CP_INT, 0 },
	{ "dns_cache_min_ttl", "dns_cache_min_ttl", CP_INT, 0 },
	{ "dns_cache_negative_ttl", "dns_cache_negative_ttl", CP_INT, 0 },
	{ "dns_cache_rec_pref", "dns_cache_rec_pref", CP_INT, 0 },
	{ "dns_naptr_ignore_rfc", "dns_naptr_ignore_rfc", CP_INT, 0 },
	{ "dns_retr_no", "dns_retr_no", CP_INT, 0 },
	{ "dns_retr_time", "dns_retr_time", CP_INT, 0 },
	{ "dns_rev_via", "rev_dns", CP_INT, 1 },
	{ "dns_sctp_pref", "dns_sctp_pref", CP_INT_SIGNED, 0 },
	{ "dns_sctp_preference", "dns_sctp_pref", CP_INT_SIGNED, 0 },
	{ "dns_search_full_match", "dns_search_full_match", CP_INT, 0 },
	{ "dns_servers_no", "dns_servers_no", CP_INT, 0 },
	{ "dns_slow_query_ms", "dns_slow_query_ms", CP_INT, 0 },
	{ "dns_srv_lb", "dns_srv_lb", CP_INT, 0 },
	{ "dns_srv_loadbalancing", "dns_srv_lb", CP_INT, 0 },
	{ "dns_tcp_pref", "dns_tcp_pref", CP_INT_SIGNED, 0 },
	{ "dns_tcp_preference", "dns_tcp_pref", CP_INT_SIGNED, 0 },
	{ "dns_tls_pref", "dns_tls_pref", CP_INT_SIGNED, 0 },
	{ "dns_tls_preference", "dns_tls_pref", CP_INT_SIGNED, 0 },
	{ "dns_try_ipv6", "dns_try_ipv6", CP_INT, 0 },
	{ "dns_try_naptr", "dns_try_naptr", CP_INT, 0 },
	{ "dns_udp_pref", "dns_udp_pref", CP_INT_SIGNED, 0 },
	{ "dns_udp_preference", "dns_udp_pref", CP_INT_SIGNED, 0 },
	{ "dns_use_cache", "use_dns_cache", CP_INT, 1 },
	{ "dns_use_failover", "use_dns_failover", CP_INT, 1 },
	{ "dns_use_search_list", "dns_use_search_list", CP_INT, 0 },
	{ "domain", "domain", CP_SOCKETS, 0 },
	{ "dst_blocklist_expire", "dst_blocklist_expire", CP_INT, 0 },
	{ "dst_blocklist_gc_interval", "dst_blocklist_gc_interval", CP_INT, 0 },
	{ "dst_blocklist_init", "dst_blocklist_init", CP_INT, 0 },
	{ "dst_blocklist_mem", "dst_blocklist_mem", CP_INT, 0 },
	{ "dst_blocklist_sctp_imask", "dst_blocklist_sctp_imask", CP_INT, 0 },
	{ "dst_blocklist_tcp_imask", "dst_blocklist_tcp_imask", CP_INT, 0 },
	{ "dst_blocklist_tls_imask", "dst_blocklist_tls_imask", CP_INT, 0 },
	{ "dst_blocklist_ttl", "dst_blocklist_expire", CP_INT, 0 },
	{ "dst_blocklist_udp_imask", "dst_blocklist_udp_imask", CP_INT, 0 },
	{ "enable_sctp", "enable_sctp", CP_INT, 0 },
	{ "enable_tls", "enable_tls", CP_INT, 0 },
	{ "exit_timeout", "exit_timeout", CP_INT, 0 },
	{ "force_rport", "force_rport", CP_INT, 0 },
	{ "fork", "fork", CP_INT, 0 },
	{ "fork_delay", "fork_delay", CP_INT, 0 },
	{ "gid", "group", CP_STR_OR_ID, 0 },
	{ "group", "group", CP_STR_OR_ID, 0 },
	{ "hdr_name_extra_chars", "hdr_name_extra_chars", CP_STR, 0 },
	{ "http_reply_hack", "http_reply_hack", CP_INT, 0 },
	{ "http_reply_parse", "http_reply_hack", CP_INT, 0 },
	{ "ip_free_bind", "ip_free_bind", CP_INT_SIGNED, 0 },
	{ "ip_nonlocal_bind", "ip_free_bind", CP_INT_SIGNED, 0 },
	{ "ipfreebind", "ip_free_bind", CP_INT_SIGNED, 0 },
	{ "ipv6_hex_style", "ipv6_hex_style", CP_STR, 0 },
	{ "latency_cfg_log", "latency_cfg_log", CP_INT_SIGNED, 0 },
	{ "latency_limit_action", "latency_limit_action", CP_INT, 0 },
	{ "latency_limit_cfg", "latency_limit_cfg", CP_INT, 0 },
	{ "latency_limit_db", "latency_limit_db", CP_INT, 0 },
	{ "latency_log", "latency_log", CP_INT_SIGNED, 0 },
	{ "listen", "listen", CP_SOCKETS, 0 },
	{ "local_rport", "local_rport", CP_INT, 0 },
	{ "log_color", "log_color", CP_INT, 0 },
	{ "log_engine_data", "log_engine_data", CP_STR, 0 },
	{ "log_engine_type", "log_engine_type", CP_STR, 0 },
	{ "log_facility", "log_facility", CP_ID, 0 },
	{ "log_name", "log_name", CP_STR, 0 },
	{ "log_prefix", "log_prefix", CP_STR, 0 },
	{ "log_prefix_mode", "log_prefix_mode", CP_INT, 0 },
	{ "log_stderror", "log_stderror", CP_INT, 0 },
	{ "max_branches", "max_branches", CP_INT, 0 },
	{ "max_recursive_level", "max_recursive_level", CP_INT, 0 },
	{ "max_while_loops", "max_while_loops", CP_INT, 0 },
	{ "maxbuffer", "maxbuffer", CP_INT, 0 },
	{ "maxsndbuffer", "maxsndbuffer", CP_INT, 1 },
	{ "mcast", "mcast", CP_STR_OR_ID, 0 },
	{ "mcast_loopback", "mcast_loopback", CP_INT, 0 },
	{ "mcast_ttl", "mcast_ttl", CP_INT, 0 },
	{ "mem_add_size", "mem_add_size", CP_INT_SIGNED, 1 },
	{ "mem_dbg", "memdbg", CP_INT_SIGNED, 0 },
	{ "mem_join", "mem_join", CP_INT_SIGNED, 0 },
	{ "mem_log", "memlog", CP_INT_SIGNED, 0 },
	{ "mem_safety", "mem_safety", CP_INT_SIGNED, 0 },
	{ "mem_status_mode", "mem_status_mode", CP_INT_SIGNED, 0 },
	{ "mem_summary", "mem_summary", CP_INT_SIGNED, 0 },
	{ "memdbg", "memdbg", CP_INT_SIGNED, 0 },
	{ "memlog", "memlog", CP_INT_SIGNED, 0 },
	{ "mhomed", "mhomed", CP_INT, 0 },
	{ "mlock_pages", "mlock_pages", CP_INT, 0 },
	{ "modinit_delay", "modinit_delay", CP_INT, 0 },
	{ "msg_apply_changes_mode", "msg_apply_changes_mode", CP_INT, 1 },
	{ "msg_clone_extra_size", "msg_clone_extra_size", CP_INT, 1 },
	{ "msg_recv_max_size", "msg_recv_max_size", CP_INT, 1 },
	{ "msg_time", "msg_time", CP_INT, 0 },
	{ "onsend_route_reply", "onsend_route_reply", CP_INT, 0 },
	{ "open_files_limit", "open_files_limit", CP_INT, 0 },
	{ "phone2tel", "phone2tel", CP_INT, 0 },
	{ "pmtu_discovery", "pmtu_discovery", CP_INT, 0 },
	{ "port", "port", CP_INT, 0 },
	{ "pv_buffer_size", "pv_buffer_size", CP_INT, 0 },
	{ "pv_buffer_slots", "pv_buffer_slots", CP_INT, 0 },
	{ "pv_cache_action", "pv_cache_action", CP_INT, 0 },
	{ "pv_cache_limit", "pv_cache_limit", CP_INT, 0 },
	{ "real_time", "real_time", CP_INT, 0 },
	{ "received_route_mode", "received_route_mode", CP_INT_SIGNED, 0 },
	{ "reply_to_via", "reply_to_via", CP_INT, 0 },
	{ "return_mode", "return_mode", CP_INT, 1 },
	{ "rev_dns", "rev_dns", CP_INT, 0 },
	{ "route_locks_size", "route_locks_size", CP_INT, 0 },
	{ "rpc_exec_delta", "rpc_exec_delta", CP_INT, 1 },
	{ "rpc_exec_locks", "rpc_exec_locks", CP_INT, 1 },
	{ "rpc_exec_locks_mode", "rpc_exec_locks_mode", CP_INT, 1 },
	{ "rt_fast_timer_prio", "rt_timer1_prio", CP_INT, 0 },
	{ "rt_ftimer_policy", "rt_timer1_policy", CP_INT, 0 },
	{ "rt_ftimer_prio", "rt_timer1_prio", CP_INT, 0 },
	{ "rt_policy", "rt_policy", CP_INT, 0 },
	{ "rt_prio", "rt_prio", CP_INT, 0 },
	{ "rt_stimer_policy", "rt_timer2_policy", CP_INT, 0 },
	{ "rt_stimer_prio", "rt_timer2_prio", CP_INT, 0 },
	{ "rt_timer1_policy", "rt_timer1_policy", CP_INT, 0 },
	{ "rt_timer1_prio", "rt_timer1_prio", CP_INT, 0 },
	{ "rt_timer2_policy", "rt_timer2_policy", CP_INT, 0 },
	{ "rt_timer2_prio", "rt_timer2_prio", CP_INT, 0 },
	{ "run_dir", "rundir", CP_STR_OR_ID, 0 },
	{ "rundir", "rundir", CP_STR_OR_ID, 0 },
	{ "sctp_children", "sctp_children", CP_INT, 0 },
	{ "ser_kill_timeout", "exit_timeout", CP_INT, 0 },
	{ "server_header", "server_header", CP_STR, 0 },
	{ "server_id", "server_id", CP_INT, 0 },
	{ "server_signature", "server_signature", CP_INT, 0 },
	{ "shm", "shm", CP_INT, 0 },
	{ "shm_force_alloc", "shm_force_alloc", CP_INT, 0 },
	{ "shm_mem", "shm", CP_INT, 0 },
	{ "shm_mem_size", "shm", CP_INT, 0 },
	{ "sip_parser_log", "sip_parser_log", CP_INT_SIGNED, 0 },
	{ "sip_parser_log_oneline", "sip_parser_log_oneline", CP_INT_SIGNED, 0 },
	{ "sip_parser_mode", "sip_parser_mode", CP_INT_SIGNED, 0 },
	{ "sip_warning", "sip_warning", CP_INT, 0 },
	{ "socket_workers", "socket_workers", CP_INT, 0 },
	{ "sql_buffer_size", "sql_buffer_size", CP_INT, 0 },
	{ "stats_name_separator", "stats_name_separator", CP_STR, 0 },
	{ "tcp_accept_aliases", "tcp_accept_aliases", CP_INT, 0 },
	{ "tcp_accept_haproxy", "tcp_accept_haproxy", CP_INT, 0 },
	{ "tcp_accept_hep3", "tcp_accept_hep3", CP_INT, 0 },
	{ "tcp_accept_iplimit", "tcp_accept_iplimit", CP_INT, 1 },
	{ "tcp_accept_no_cl", "tcp_accept_no_cl", CP_INT, 0 },
	{ "tcp_accept_protocols", "tcp_accept_protocols", CP_INT_OR_STR, 1 },
	{ "tcp_accept_protos", "tcp_accept_protocols", CP_INT_OR_STR, 1 },
	{ "tcp_accept_unique", "tcp_accept_unique", CP_INT, 0 },
	{ "tcp_async", "tcp_buf_write", CP_INT, 0 },
	{ "tcp_buf_write", "tcp_buf_write", CP_INT, 0 },
	{ "tcp_check_timer", "tcp_check_timer", CP_INT, 1 },
	{ "tcp_children", "tcp_children", CP_INT, 0 },
	{ "tcp_clone_rcvbuf", "tcp_clone_rcvbuf", CP_INT, 0 },
	{ "tcp_close_rst", "tcp_close_rst", CP_INT, 1 },
	{ "tcp_conn_wq_max", "tcp_conn_wq_max", CP_INT, 0 },
	{ "tcp_connect_timeout", "tcp_connect_timeout", CP_INT_SIGNED, 0 },
	{ "tcp_connection_lifetime", "tcp_connection_lifetime", CP_INT_SIGNED, 0 },
	{ "tcp_connection_match", "tcp_connection_match", CP_INT, 0 },
	{ "tcp_crlf_ping", "tcp_crlf_ping", CP_INT, 0 },
	{ "tcp_defer_accept", "tcp_defer_accept", CP_INT, 0 },
	{ "tcp_delayed_ack", "tcp_delayed_ack", CP_INT, 0 },
	{ "tcp_fd_cache", "tcp_fd_cache", CP_INT, 0 },
	{ "tcp_keepalive", "tcp_keepalive", CP_INT, 0 },
	{ "tcp_keepcnt", "tcp_keepcnt", CP_INT, 0 },
	{ "tcp_keepidle", "tcp_keepidle", CP_INT, 0 },
	{ "tcp_keepintvl", "tcp_keepintvl", CP_INT, 0 },
	{ "tcp_linger2", "tcp_linger2", CP_INT, 0 },
	{ "tcp_listen_backlog", "tcp_listen_backlog", CP_INT, 1 },
	{ "tcp_main_threads", "tcp_main_threads", CP_INT, 1 },
	{ "tcp_max_connections", "tcp_max_connections", CP_INT, 0 },
	{ "tcp_msg_data_timeout", "tcp_msg_data_timeout", CP_INT, 1 },
	{ "tcp_msg_read_timeout", "tcp_msg_read_timeout", CP_INT, 1 },
	{ "tcp_no_connect", "tcp_no_connect", CP_INT, 0 },
	{ "tcp_poll_method", "tcp_poll_method", CP_STR_OR_ID, 0 },
	{ "tcp_rd_buf_size", "tcp_rd_buf_size", CP_INT, 0 },
	{ "tcp_reuse_port", "tcp_reuse_port", CP_INT, 0 },
	{ "tcp_script_mode", "tcp_script_mode", CP_INT_SIGNED, 0 },
	{ "tcp_send_timeout", "tcp_send_timeout", CP_INT_SIGNED, 0 },
	{ "tcp_source_ipv4", "tcp_source_ipv4", CP_IPV4, 0 },
	{ "tcp_source_ipv6", "tcp_source_ipv6", CP_IPV6, 0 },
	{ "tcp_syncnt", "tcp_syncnt", CP_INT, 0 },
	{ "tcp_wait_data", "tcp_wait_data", CP_INT_SIGNED, 0 },
	{ "tcp_wq_blk_size", "tcp_wq_blk_size", CP_INT, 0 },
	{ "tcp_wq_max", "tcp_wq_max", CP_INT, 0 },
	{ "tls_ca_list", "tls_ca_list", CP_STR, 0 },
	{ "tls_certificate", "tls_certificate", CP_STR, 0 },
	{ "tls_connection_match_domain", "tls_connection_match_domain", CP_INT, 1 },
	{ "tls_disable", "disable_tls", CP_INT, 0 },
	{ "tls_enable", "enable_tls", CP_INT, 0 },
	{ "tls_handshake_timeout", "tls_handshake_timeout", CP_INT, 0 },
	{ "tls_log", "tlslog", CP_INT, 0 },
	{ "tls_max_connections", "tls_max_connections", CP_INT, 0 },
	{ "tls_method", "tls_method", CP_TLS_METHOD, 0 },
	{ "tls_port_no", "tls_port_no", CP_INT, 0 },
	{ "tls_private_key", "tls_private_key", CP_STR, 0 },
	{ "tls_require_certificate", "tls_require_certificate", CP_INT, 0 },
	{ "tls_send_timeout", "tls_send_timeout", CP_INT, 0 },
	{ "tls_threads_mode", "tls_threads_mode", CP_INT, 1 },
	{ "tls_verify", "tls_verify", CP_INT, 0 },
	{ "tlslog", "tlslog", CP_INT, 0 },
	{ "tos", "tos", CP_INT_OR_ID, 0 },
	{ "udp4_raw", "udp4_raw", CP_INT_SIGNED, 0 },
	{ "udp4_raw_mtu", "udp4_raw_mtu", CP_INT, 0 },
	{ "udp4_raw_ttl", "udp4_raw_ttl", CP_INT, 0 },
	{ "udp_accept_proxy", "udp_accept_proxy", CP_INT, 1 },
	{ "udp_mtu", "udp_mtu", CP_INT, 0 },
	{ "udp_mtu_try_proto", "udp_mtu_try_proto", CP_PROTO, 0 },
	{ "udp_receiver_mode", "udp_receiver_mode", CP_INT, 1 },
	{ "uid", "user", CP_STR_OR_ID, 0 },
	{ "uri_host_extra_chars", "uri_host_extra_chars", CP_STR, 0 },
	{ "use_dns_cache", "use_dns_cache", CP_INT, 0 },
	{ "use_dns_failover", "use_dns_failover", CP_INT, 0 },
	{ "use_dst_blocklist", "use_dst_blocklist", CP_INT, 0 },
	{ "user", "user", CP_STR_OR_ID, 0 },
	{ "user_agent_header", "user_agent_header", CP_STR, 0 },
	{ "verbose_startup", "verbose_startup", CP_INT, 0 },
	{ "version_table", "version_table", CP_STR, 0 },
	{ "wait_worker1_mode", "wait_worker1_mode", CP_INT, 0 },
	{ "wait_worker1_time", "wait_worker1_time", CP_INT, 0 },
	{ "wait_worker1_usleep", "wait_worker1_usleep", CP_INT, 0 },
	{ "wdir", "workdir", CP_STR_OR_ID, 0 },
	{ "workdir", "workdir", CP_STR_OR_ID, 0 },
	{ "xavp_via_fields", "xavp_via_fields", CP_STR, 0 },
	{ "xavp_via_params", "xavp_via_params", CP_STR, 0 },
	{ "xavp_via_reply_params", "xavp_via_reply_params", CP_STR, 1 },
};

static const core_param *core_param_find(const char *s, size_t n)
{
	size_t lo = 0, hi = sizeof(core_params) / sizeof(core_params[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_word(core_params[mid].name, s, n);
		if (!c)
			return &core_params[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Look up a core parameter by any of its names. Returns the canonical
 * name and sets *kind (CP_*), or returns NULL for an unknown name and for
 * the parameters Kamailio 5.6.3 does not have (see cfgc_core_param_newer). */
const char *cfgc_core_param(const char *s, size_t n, int *kind)
{
	const core_param *p = core_param_find(s, n);

	if (!p || p->newer)
		return NULL;
	if (kind)
		*kind = p->kind;
	return p->canon;
}

/* A parameter that newer Kamailio releases accept but 5.6.3 refuses:
 * returns its canonical name (for the diagnostic), else NULL. */
const char *cfgc_core_param_newer(const char *s, size_t n)
{
	const core_param *p = core_param_find(s, n);

	return p && p->newer ? p->canon : NULL;
}

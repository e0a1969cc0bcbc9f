/*
 * cfgc_parse.y — the grammar of kamailio.cfg, as a pure bison parser that
 * builds the AST of cfgc_int.h.
 *
 * Input: the tokens of cfgc_lex.l over ctx->out (the preprocessor's
 * output). Output: ctx->top, the top-level statements in file order. Every
 * node carries its span in ctx->out (YYLTYPE is cfgc_span; a rule's span
 * joins the spans of its right-hand side).
 *
 * The grammar follows Kamailio 5.6.3's src/core/cfg.y (spec §3-§6): it
 * accepts the same sentences, so a syntax error is detected at the token
 * Kamailio stops at (verified with `kamailio -c` on the shared corpus).
 * Deliberate differences:
 *   - call arguments may be any expression or a bare identifier (core
 *     actions take literals only, and bare words are not values): the
 *     linter reports those, on the same line, with a better message;
 *   - PV names, transformations and types are not checked here (linter);
 *   - core parameter names are identifiers checked against a table
 *     (cfgc_core_param) instead of one token each;
 *   - a few forms of later Kamailio releases the language reference
 *     describes are accepted: loadmodule ("m.so" [, "opts"]),
 *     `domain = ...`, `advertise proto:addr`.
 *
 * Errors: the first one is reported (cfgc_diag_span, code "syntax" unless
 * said otherwise) and parsing stops: there is no error recovery, so no
 * cascade. Messages name tokens by their text, never by grammar names.
 *
 * Precedence is Kamailio's, not C's (spec §6.2): `^` binds tighter than
 * `&`, which binds tighter than `|`; `<<` and `>>` are two levels below
 * the comparisons.
 */

%require "3.8"
%define api.pure full
%define api.prefix {cfgc_yy}
%define api.token.prefix {T_}
%define api.location.type {cfgc_span}
%define parse.error custom
%define parse.lac full
%locations
%param {yyscan_t scanner}
%parse-param {cfgc_lexstate *st}

%code requires {
#include <stdint.h>
#include "cfgc_int.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* A list under construction: O(1) append. */
typedef struct {
	cfgc_node *head, *tail;
	int n;
} cfgc_nlist;

/* State shared by the lexer and the parser of one cfgc_parse() call. */
typedef struct cfgc_lexstate {
	cfgc_ctx *ctx;
	const char *buf;   /* ctx->out */
	uint32_t len;      /* ctx->out_len */
	uint32_t pos;      /* offset of the next byte the lexer reads */
	int depth;         /* nesting of the block comment being skipped */
	uint32_t cstart;   /* where that comment started */
	int braces;        /* '{' minus '}' seen so far */
	int failed;        /* an error was reported: stop */
	int ntops;         /* top-level statements parsed */
} cfgc_lexstate;
}

%code provides {
int cfgc_yylex(CFGC_YYSTYPE *lval, CFGC_YYLTYPE *lloc, yyscan_t scanner);
}

%code {
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A rule's span: from its first symbol to its last; an empty rule sits at
 * the end of what precedes it. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                         \
	do {                                                                \
		if (N) {                                                    \
			(Cur).off = YYRHSLOC(Rhs, 1).off;                   \
			(Cur).len = YYRHSLOC(Rhs, N).off +                  \
			            YYRHSLOC(Rhs, N).len - (Cur).off;       \
		} else {                                                    \
			(Cur).off = YYRHSLOC(Rhs, 0).off +                  \
			            YYRHSLOC(Rhs, 0).len;                   \
			(Cur).len = 0;                                      \
		}                                                           \
	} while (0)
#define YYLOCATION_PRINT(File, Loc) ((void)0)

static cfgc_node *mk(cfgc_lexstate *st, cfgc_kind k, cfgc_span sp);
static cfgc_nlist l_none(void);
static cfgc_nlist l_one(cfgc_node *n);
static cfgc_nlist l_add(cfgc_nlist l, cfgc_node *n);
/* Report an error at the end of the input where Kamailio 5.6.3 puts it
 * (ctx->eof_loc, the start of the main file's last lexeme). Returns 0 when
 * that place is unknown (the caller reports at the last byte instead). */
static int perr_eof(cfgc_lexstate *st, const char *code, const char *msg)
{
	cfgc_diag *d;

	if (st->failed)
		return 1;
	if (st->ctx->eof_loc.file < 0)
		return 0;
	d = cfgc_diag_loc(st->ctx, CFGC_ERROR, code, st->ctx->eof_loc, 1, "%s", msg);
	d->order = st->len;
	st->ctx->syntax_errors++;
	st->failed = 1;
	return 1;
}

static cfgc_node *mk_bin(cfgc_lexstate *st, int op, cfgc_node *a, cfgc_node *b,
                         cfgc_span sp, cfgc_span opsp);
static cfgc_node *mk_un(cfgc_lexstate *st, int op, cfgc_node *a, cfgc_span sp, cfgc_span opsp);
static cfgc_node *mk_call(cfgc_lexstate *st, cfgc_node *name, cfgc_nlist args, cfgc_span sp, int bare);
static int arg_no_call(cfgc_lexstate *st, const cfgc_node *e);
static cfgc_node *mk_ret(cfgc_lexstate *st, cfgc_kind k, cfgc_node *val, cfgc_span sp, int parens);
static cfgc_node *mk_oldcond(cfgc_lexstate *st, cfgc_node *left, int op, cfgc_node *rhs, cfgc_span sp);
static cfgc_node *mk_route(cfgc_lexstate *st, int type, cfgc_node *name, cfgc_nlist body, cfgc_span sp);
static cfgc_node *mk_socket(cfgc_lexstate *st, cfgc_node *proto, cfgc_node *host, cfgc_node *port,
                            cfgc_span sp);
static cfgc_node *neg_int(cfgc_lexstate *st, cfgc_node *num, cfgc_span sp);
static cfgc_node *host_word(cfgc_lexstate *st, cfgc_node *w);
static int host_more(cfgc_lexstate *st, cfgc_node *h, cfgc_node *w, cfgc_span sp, cfgc_span sepsp, int dot);
static cfgc_node *host_done(cfgc_lexstate *st, cfgc_node *h, int as_value);
static cfgc_node *uri_part(cfgc_lexstate *st, const char *what, cfgc_span sp);
static int ip_check(cfgc_lexstate *st, cfgc_node *ip);
static int core_param_name(cfgc_lexstate *st, cfgc_node *name);
static cfgc_node *core_param(cfgc_lexstate *st, cfgc_node *name, cfgc_node *val, cfgc_span sp);
static cfgc_node *cfg_var(cfgc_lexstate *st, cfgc_node *var, cfgc_node *val, cfgc_node *desc,
                          cfgc_span sp);
static int route_name_ok(cfgc_lexstate *st, cfgc_node *id);
static void perr(cfgc_lexstate *st, cfgc_span sp, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void yyerror(const CFGC_YYLTYPE *loc, yyscan_t scanner, cfgc_lexstate *st, const char *msg);

/* Report at `sp` and stop the parse. */
#define FAIL(sp, ...)                                  \
	do {                                           \
		perr(st, (sp), "syntax", __VA_ARGS__); \
		YYABORT;                               \
	} while (0)
/* Stop when a helper already reported. */
#define CHECK(x)                \
	do {                            \
		if (!(x))               \
			YYABORT;        \
	} while (0)
}

%union {
	cfgc_node *node;
	cfgc_nlist list;
	int op;
}

/* Tokens carrying a node made by the lexer. */
%token <node> ID "identifier"
%token <node> NUM_ID "host name"
%token <node> NUMBER "number"
%token <node> STRING "string"
%token <node> IPV4 "IPv4 address"
%token <node> IPV6 "IPv6 address"
%token <node> PVAR "pseudo-variable"
%token <node> SELECT "select"
%token <node> CP_ID "parameter name"
%token <node> CFGVAR "config variable"
%token <node> EVENT_ROUTE "event_route[...]"
%token <node> ROUTE "route"
%token <node> RT_PLAIN "request_route"
%token <node> RT_NAMED "failure_route"
%token <node> FORWARD "forward"
%token <node> FORWARD_X "forward_udp"
%token <node> CORE_FN "core function"
%token <node> CORE_BARE "core action"
%token <node> UDP_MTU_TRY_PROTO "udp_mtu_try_proto"
%token <node> SET_ADV_ADDRESS "set_advertised_address"
%token <node> FORCE_SEND_SOCKET "force_send_socket"
%token <node> OC_METHOD "method"
%token <node> OC_URI "uri"
%token <node> OC_IP "src_ip"
%token <node> OC_PORT "src_port"
%token <node> OC_PROTO "proto"
%token <node> MYSELF "myself"
%token <node> PROTO_WORD "protocol"
%token <node> TLSM "TLS method"
%token <node> LOADMODULE "loadmodule"
%token <node> MODPARAM "modparam"
%token <node> LISTEN "listen"
%token <node> ALIAS "alias"
%token <node> RESERVED "reserved word"

/* Plain keywords and operators. */
%token EVROUTE_BARE "event_route"
%token EVROUTE_LBRACK "'[' and a module:event name"
%token IF "if" ELSE "else" SWITCH "switch" CASE "case" DEFAULT "default"
%token WHILE "while" BREAK "break" RETURN "return" EXIT "exit" DROP "drop"
%token LOADPATH "loadpath" CFGENGINE "cfgengine" FLAGS "flags" AVPFLAGS "avpflags"
%token DESC "desc" ADVERTISE "advertise" NAME "name" VIRTUAL "virtual"
%token URIHOST "uri:host" URIPORT "uri:port"
%token EQ "==" NE "!=" MATCH "=~" STREQ "eq" STRNE "ne" INTEQ "ieq" INTNE "ine"
%token LE "<=" GE ">=" AND "&&" OR "||" NOT "!" LSHIFT "<<" RSHIFT ">>" MOD "mod"
%token ADDEQ "+=" DEFINED "defined" STRLEN "strlen" STREMPTY "strempty" SELVAL "selval"
%token INTCAST "(int)" STRCAST "(str)"
%token LEXERR "invalid token"

/* Lowest first (spec §6.2). */
%precedence LOWER_THAN_ELSE
%precedence ELSE
%left OR
%left AND
%left '|'
%left '&'
%left '^'
%left LSHIFT
%left RSHIFT
%left EQ NE MATCH STREQ STRNE INTEQ INTNE
%left '<' '>' LE GE
%left '+' '-'
%left '*' '/' MOD
%precedence NOT '~' UNARY
%precedence DEFINED
%precedence INTCAST STRCAST

%type <node> top route_block route_name action stm if_stmt switch_stmt case_item
%type <node> while_stmt ret_stmt assign cmd exp primary oldcond arg route_target
%type <node> pvalue hostname hword hostid ipaddr ipnet sockaddr1 sockaddr socket port
%type <node> adv fwd_host listen_id phostport proto mpvalue cfgval opt_desc flag_spec
%type <node> flag_name opt_adv opt_name opt_virtual
%type <list> top_list actions opt_actions case_list args socklist addrlist
%type <list> flag_list avpflag_list fwd_args listen_opts
%type <op> strop equalop cmpop eqop

%%

/* cfg -> { top }
 * ctx->top is kept current, so after a syntax error it still holds the
 * statements before the error (for a linter that wants to say more). */
cfg:
	top_list			{ st->ctx->top = $1.head; }
	;

top_list:
	%empty				{ $$ = l_none(); }
	| top_list top			{ $$ = l_add($1, $2); st->ctx->top = $$.head; st->ntops++; }
	;

/* top -> core_param | cfg_var | listen | alias | loadmodule | loadpath
 *      | modparam | cfgengine | flags | avpflags | route_block | ';'
 * Statements that take '=' get their name as CP_ID (an identifier the
 * lexer saw followed by '='), or as CFGVAR for `group.var =`. */
top:
	CP_ID { CHECK(core_param_name(st, $1)); } '=' pvalue
		{ $$ = core_param(st, $1, $4, @$); CHECK($$); }
	| CFGVAR '=' cfgval opt_desc	{ $$ = cfg_var(st, $1, $3, $4, @$); CHECK($$); }
	| LISTEN '=' socklist listen_opts
		{
			$$ = mk(st, N_CORE_PARAM, @$);
			$$->str = "listen";
			$$->name_span = @1;
			$$->a = $3.head;
			for (cfgc_node *o = $4.head; o; o = o->next) {
				if (o->kind == N_SOCKET)
					$$->b = o;
				else if (o->kind == N_STR)
					$$->c = o;
				else
					$$->op = 1; /* virtual */
			}
			for (cfgc_node *s = $3.head; s; s = s->next) {
				s->b = $$->b;
				s->c = $$->c;
			}
		}
	| ALIAS '=' socklist
		{
			$$ = mk(st, N_CORE_PARAM, @$);
			$$->str = $1->ival ? "domain" : "alias";
			$$->name_span = @1;
			$$->a = $3.head;
		}
	| LOADMODULE STRING		{ $$ = mk(st, N_LOADMODULE, @$); $$->op = (int)$1->ival; $$->a = $2; }
	| LOADMODULE '(' STRING ')'	{ $$ = mk(st, N_LOADMODULE, @$); $$->op = (int)$1->ival; $$->a = $3; }
	| LOADMODULE '(' STRING ',' STRING ')'
		{ $$ = mk(st, N_LOADMODULE, @$); $$->op = (int)$1->ival; $$->a = $3; $$->b = $5; }
	| LOADPATH STRING		{ $$ = mk(st, N_LOADPATH, @$); $$->a = $2; }
	| LOADPATH '=' STRING		{ $$ = mk(st, N_LOADPATH, @$); $$->a = $3; }
	| MODPARAM '(' STRING ',' STRING ',' mpvalue ')'
		{
			if ($7->kind == N_PV && !$1->ival)
				FAIL(@7, "syntax error: unexpected pseudo-variable '%s' (modparam takes a "
				     "string or an integer; modparamx takes a pseudo-variable)", $7->str);
			$$ = mk(st, N_MODPARAM, @$);
			$$->op = (int)$1->ival;
			$$->name_span = @1;
			$$->a = $3;
			$$->b = $5;
			$$->c = $7;
		}
	| CFGENGINE STRING		{ $$ = mk(st, N_CFGENGINE, @$); $$->a = $2; }
	| CFGENGINE '=' STRING		{ $$ = mk(st, N_CFGENGINE, @$); $$->a = $3; }
	| FLAGS flag_list		{ $$ = mk(st, N_FLAGS, @$); $$->a = $2.head; }
	| AVPFLAGS avpflag_list		{ $$ = mk(st, N_FLAGS, @$); $$->op = 1; $$->a = $2.head; }
	| route_block			{ $$ = $1; }
	| ';'				{ $$ = NULL; }
	| EVROUTE_BARE EVROUTE_LBRACK	{ $$ = NULL; }
	;

/* pvalue -> ['-'] NUMBER | STRING | ip | hostname | proto | TLS method
 * (checked against the parameter's kind by core_param()). */
pvalue:
	'-' NUMBER			{ $$ = neg_int(st, $2, @$); }
	| STRING			{ $$ = $1; }
	| ipaddr			{ $$ = $1; }
	| hostname			{ $$ = host_done(st, $1, 1); }
	| PROTO_WORD			{ $$ = $1; }
	| '*'				{ $$ = mk(st, N_PROTO, @$); $$->ival = PROTO_ANY; }
	| TLSM				{ $$ = $1; $$->op = 1; }
	;

/* hostname -> hword { ('.' | '-') hword }, an address, host or interface
 * name written unquoted (eth0, sip-1.example.com, 3com.net). */
hostname:
	hword				{ $$ = host_word(st, $1); }
	| hostname '.' hword		{ CHECK(host_more(st, $1, $3, @$, @2, 1)); $$ = $1; }
	| hostname '-' hword		{ CHECK(host_more(st, $1, $3, @$, @2, 0)); $$ = $1; }
	;

hword:
	ID | NUM_ID | NUMBER
	;

/* hostid -> ID { ('.' | '-') ID }: the host form of forward() and of the
 * old-style IP comparisons. */
hostid:
	ID				{ $$ = host_word(st, $1); }
	| hostid '.' ID			{ CHECK(host_more(st, $1, $3, @$, @2, 1)); $$ = $1; }
	| hostid '-' ID			{ CHECK(host_more(st, $1, $3, @$, @2, 0)); $$ = $1; }
	;

/* ip -> IPV4 | IPV6 | '[' IPV6 ']' */
ipaddr:
	IPV4				{ CHECK(ip_check(st, $1)); $$ = $1; }
	| IPV6				{ $$ = $1; }
	| '[' IPV6 ']'			{ $$ = $2; $$->span = @$; }
	;

/* cfg_var -> group['[' N ']'] '.' var '=' (NUMBER | STRING) [desc STRING]
 * (the lexer hands `group.var` or `group[N].var` over as one CFGVAR) */
cfgval:
	NUMBER | STRING
	;

opt_desc:
	%empty				{ $$ = NULL; }
	| DESC STRING			{ $$ = $2; }
	;

/* modparam value: STRING | intno | PV (modparamx) */
mpvalue:
	STRING				{ $$ = $1; }
	| NUMBER			{ $$ = $1; }
	| '-' NUMBER			{ $$ = neg_int(st, $2, @$); }
	| PVAR				{ $$ = $1; }
	;

/* flags -> flag_spec { ',' flag_spec };  flag_spec -> name [':' NUMBER] */
flag_list:
	flag_spec			{ $$ = l_one($1); }
	| flag_list ',' flag_spec	{ $$ = l_add($1, $3); }
	;

flag_spec:
	flag_name			{ $$ = $1; $$->ival = -1; }
	| flag_name ':' NUMBER		{ $$ = $1; $$->ival = $3->ival; $$->span = @$; }
	;

flag_name:
	ID				{ $$ = mk(st, N_FLAG_DECL, @$); $$->str = $1->str; }
	| STRING			{ $$ = mk(st, N_FLAG_DECL, @$); $$->str = $1->str; $$->quoted = 1; }
	;

avpflag_list:
	flag_name			{ $1->ival = -1; $$ = l_one($1); }
	| avpflag_list ',' flag_name	{ $3->ival = -1; $$ = l_add($1, $3); }
	;

/* listen/alias/domain -> socket { socket }
 * socket -> [proto ':'] addr [':' port];  addr -> ip | STRING | hostname
 *         | '(' addr { ',' addr } ')' (SCTP multi-homing) */
socklist:
	socket				{ $$ = l_one($1); }
	| socklist socket		{ $$ = l_add($1, $2); }
	;

socket:
	sockaddr			{ $$ = mk_socket(st, NULL, $1, NULL, @$); }
	| sockaddr ':' port		{ $$ = mk_socket(st, NULL, $1, $3, @$); }
	| proto ':' sockaddr		{ $$ = mk_socket(st, $1, $3, NULL, @$); }
	| proto ':' sockaddr ':' port	{ $$ = mk_socket(st, $1, $3, $5, @$); }
	;

sockaddr:
	sockaddr1			{ $$ = $1; }
	| '(' addrlist ')'		{ $$ = $2.head; }
	;

sockaddr1:
	ipaddr				{ $$ = $1; }
	| STRING			{ $$ = $1; }
	| hostname			{ $$ = host_done(st, $1, 0); }
	;

addrlist:
	sockaddr1			{ $$ = l_one($1); }
	| addrlist ',' sockaddr1	{ $$ = l_add($1, $3); }
	;

port:
	NUMBER				{ $$ = $1; }
	| '*'				{ $$ = mk(st, N_INT, @$); $$->ival = 0; $$->str = "*"; }
	;

proto:
	PROTO_WORD			{ $$ = $1; }
	| '*'				{ $$ = mk(st, N_PROTO, @$); $$->ival = PROTO_ANY; }
	;

/* listen options, in this order: [advertise addr[:port]] [name "x"] [virtual] */
listen_opts:
	opt_adv opt_name opt_virtual	{ $$ = l_add(l_add(l_one($1), $2), $3); }
	;

opt_adv:
	%empty				{ $$ = NULL; }
	| ADVERTISE adv			{ $$ = $2; }
	;

opt_name:
	%empty				{ $$ = NULL; }
	| NAME STRING			{ $$ = $2; }
	;

opt_virtual:
	%empty				{ $$ = NULL; }
	| VIRTUAL			{ $$ = mk(st, N_ID, @$); $$->str = "virtual"; }
	;

adv:
	sockaddr1			{ $$ = mk_socket(st, NULL, $1, NULL, @$); }
	| sockaddr1 ':' NUMBER		{ $$ = mk_socket(st, NULL, $1, $3, @$); }
	| PROTO_WORD ':' sockaddr1	{ $$ = mk_socket(st, $1, $3, NULL, @$); }
	| PROTO_WORD ':' sockaddr1 ':' NUMBER
					{ $$ = mk_socket(st, $1, $3, $5, @$); }
	;

/* route_block -> route '{' actions '}' | route '[' name ']' '{' actions '}'
 *   (also failure_route, onreply_route, branch_route, onsend_route);
 *   request_route and reply_route take no name; event_route[mod:ev]. */
route_block:
	ROUTE '{' actions '}'		{ $$ = mk_route(st, RT_REQUEST, NULL, $3, @$); }
	| ROUTE '[' route_name ']' '{' actions '}'
					{ $$ = mk_route(st, RT_REQUEST, $3, $6, @$); }
	| RT_PLAIN '{' actions '}'	{ $$ = mk_route(st, (int)$1->ival, NULL, $3, @$); }
	| RT_NAMED '{' actions '}'	{ $$ = mk_route(st, (int)$1->ival, NULL, $3, @$); }
	| RT_NAMED '[' route_name ']' '{' actions '}'
					{ $$ = mk_route(st, (int)$1->ival, $3, $6, @$); }
	| EVENT_ROUTE '{' actions '}'	{ $$ = mk_route(st, RT_EVENT, $1, $3, @$); }
	;

/* route_name -> NUMBER | ID | STRING */
route_name:
	NUMBER
		{
			char buf[24];
			snprintf(buf, sizeof buf, "%lld", (long long)$1->ival);
			$$ = mk(st, N_STR, @$);
			$$->str = cfgc_strndup(st->ctx, buf, strlen(buf));
			$$->slen = strlen(buf);
		}
	| ID				{ CHECK(route_name_ok(st, $1)); $$ = $1; }
	| STRING			{ $$ = $1; }
	;

/* actions -> action { action }   (a block holds at least one) */
actions:
	action				{ $$ = l_one($1); }
	| actions action		{ $$ = l_add($1, $2); }
	;

/* action -> cmd ';' | if | switch | while | ret ';' | assign ';' | ';' */
action:
	cmd ';'				{ $$ = $1; }
	| if_stmt			{ $$ = $1; }
	| switch_stmt			{ $$ = $1; }
	| while_stmt			{ $$ = $1; }
	| ret_stmt ';'			{ $$ = $1; }
	| assign ';'			{ $$ = $1; }
	| ';'				{ $$ = mk(st, N_NOP, @$); }
	;

/* stm -> action | '{' actions '}'   (body of if, else, while) */
stm:
	action				{ $$ = $1; }
	| '{' actions '}'		{ $$ = mk(st, N_BLOCK, @$); $$->a = $2.head; }
	;

/* if -> IF exp stm [ELSE stm]   (the condition needs no parentheses) */
if_stmt:
	IF exp stm %prec LOWER_THAN_ELSE
		{ $$ = mk(st, N_IF, @$); $$->a = $2; $$->b = $3; }
	| IF exp stm ELSE stm
		{ $$ = mk(st, N_IF, @$); $$->a = $2; $$->b = $3; $$->c = $5; }
	;

/* switch -> SWITCH exp '{' { case } '}'
 * case -> CASE exp ':' [actions] | CASE '/' exp ':' [actions]
 *       | DEFAULT ':' [actions] */
switch_stmt:
	SWITCH exp '{' case_list '}'	{ $$ = mk(st, N_SWITCH, @$); $$->a = $2; $$->b = $4.head; }
	| SWITCH exp '{' '}'		{ $$ = mk(st, N_SWITCH, @$); $$->a = $2; }
	;

case_list:
	case_item			{ $$ = l_one($1); }
	| case_list case_item		{ $$ = l_add($1, $2); }
	;

case_item:
	CASE exp ':' opt_actions
		{ $$ = mk(st, N_CASE, @$); $$->a = $2; $$->b = $4.head; }
	| CASE '/' exp ':' opt_actions
		{ $$ = mk(st, N_CASE, @$); $$->op = 1; $$->a = $3; $$->b = $5.head; }
	| DEFAULT ':' opt_actions
		{ $$ = mk(st, N_CASE, @$); $$->op = 2; $$->b = $3.head; }
	;

opt_actions:
	%empty				{ $$ = l_none(); }
	| actions			{ $$ = $1; }
	;

/* while -> WHILE exp stm */
while_stmt:
	WHILE exp stm			{ $$ = mk(st, N_WHILE, @$); $$->a = $2; $$->b = $3; }
	;

/* ret -> (return | exit | drop) [exp | '(' ')'] | break */
ret_stmt:
	RETURN				{ $$ = mk_ret(st, N_RETURN, NULL, @$, 0); }
	| RETURN '(' ')'		{ $$ = mk_ret(st, N_RETURN, NULL, @$, 1); }
	| RETURN exp			{ $$ = mk_ret(st, N_RETURN, $2, @$, 0); }
	| EXIT				{ $$ = mk_ret(st, N_EXIT, NULL, @$, 0); }
	| EXIT '(' ')'			{ $$ = mk_ret(st, N_EXIT, NULL, @$, 1); }
	| EXIT exp			{ $$ = mk_ret(st, N_EXIT, $2, @$, 0); }
	| DROP				{ $$ = mk_ret(st, N_DROP, NULL, @$, 0); }
	| DROP '(' ')'			{ $$ = mk_ret(st, N_DROP, NULL, @$, 1); }
	| DROP exp			{ $$ = mk_ret(st, N_DROP, $2, @$, 0); }
	| BREAK				{ $$ = mk(st, N_BREAK, @$); }
	;

/* assign -> PVAR '=' exp   (only '=': '+=' and ':=' do not exist) */
assign:
	PVAR '=' exp			{ $$ = mk(st, N_ASSIGN, @$); $$->a = $1; $$->b = $3; $$->name_span = @2; }
	;

/* cmd -> ID '(' [args] ')'                  module function
 *      | core_action '(' [args] ')'         log, setflag, strip, ...
 *      | bare core action [ '(' ')' ]       force_rport, revert_uri, ...
 *      | route '(' name | exp ')'
 *      | forward... '(' host [',' port] ')' | udp_mtu_try_proto '(' proto ')'
 *      | set_advertised_address '(' addr ')' | force_send_socket '(' socket ')' */
cmd:
	ID '(' args ')'			{ $$ = mk_call(st, $1, $3, @$, 0); }
	| CORE_FN '(' args ')'		{ $$ = mk_call(st, $1, $3, @$, 0); }
	| CORE_BARE			{ $$ = mk_call(st, $1, l_none(), @$, 1); }
	| CORE_BARE '(' args ')'	{ $$ = mk_call(st, $1, $3, @$, 0); }
	| ROUTE '(' route_target ')'
		{
			$$ = mk(st, N_ROUTE_CALL, @$);
			$$->str = "route";
			$$->name_span = @1;
			$$->a = $3;
		}
	| FORWARD '(' ')'		{ $$ = mk_call(st, $1, l_none(), @$, 0); }
	| FORWARD '(' fwd_args ')'	{ $$ = mk_call(st, $1, $3, @$, 0); }
	| FORWARD_X '(' fwd_args ')'	{ $$ = mk_call(st, $1, $3, @$, 0); }
	| UDP_MTU_TRY_PROTO '(' proto ')'
		{
			if ($3->ival == PROTO_WS || $3->ival == PROTO_WSS)
				FAIL(@3, "syntax error: udp_mtu_try_proto takes udp, tcp, tls or sctp");
			$$ = mk_call(st, $1, l_one($3), @$, 0);
		}
	| SET_ADV_ADDRESS '(' listen_id ')'
					{ $$ = mk_call(st, $1, l_one($3), @$, 0); }
	| FORCE_SEND_SOCKET '(' phostport ')'
					{ $$ = mk_call(st, $1, l_one($3), @$, 0); }
	;

/* args -> [arg] { ',' arg }   (Kamailio's func_params: `f(, x)` is f(x)) */
args:
	%empty				{ $$ = l_none(); }
	| arg				{ $$ = l_one($1); }
	| args ',' arg			{ $$ = l_add($1, $3); }
	;

/* A bare identifier is kept as N_ID: a flag name for setflag(), an
 * error the linter explains elsewhere. */
arg:
	exp				{ CHECK(arg_no_call(st, $1)); $$ = $1; }
	| ID				{ $$ = $1; }
	;

/* route '(' (ID | exp) ')' */
route_target:
	ID				{ CHECK(route_name_ok(st, $1)); $$ = $1; }
	| exp				{ $$ = $1; }
	;

/* forward arguments: host [',' NUMBER] | uri:host [',' (uri:port | NUMBER)]
 * with host -> hostid | STRING | ip */
fwd_args:
	fwd_host			{ $$ = l_one($1); }
	| fwd_host ',' NUMBER		{ $$ = l_add(l_one($1), $3); }
	| URIHOST			{ $$ = l_one(uri_part(st, "uri:host", @1)); }
	| URIHOST ',' URIPORT		{ $$ = l_add(l_one(uri_part(st, "uri:host", @1)), uri_part(st, "uri:port", @3)); }
	| URIHOST ',' NUMBER		{ $$ = l_add(l_one(uri_part(st, "uri:host", @1)), $3); }
	;

fwd_host:
	hostid				{ $$ = host_done(st, $1, 0); }
	| STRING			{ $$ = $1; }
	| ipaddr			{ $$ = $1; }
	;

/* set_advertised_address and force_send_socket addresses:
 * listen_id -> ip | STRING | hostname;  phostport -> [proto ':'] listen_id [':' port] */
listen_id:
	ipaddr				{ $$ = $1; }
	| STRING			{ $$ = $1; }
	| hostname			{ $$ = host_done(st, $1, 0); }
	;

phostport:
	listen_id			{ $$ = mk_socket(st, NULL, $1, NULL, @$); }
	| listen_id ':' port		{ $$ = mk_socket(st, NULL, $1, $3, @$); }
	| proto ':' listen_id		{ $$ = mk_socket(st, $1, $3, NULL, @$); }
	| proto ':' listen_id ':' port	{ $$ = mk_socket(st, $1, $3, $5, @$); }
	;

/* exp -> primary | unop exp | exp binop exp   (precedence above) */
exp:
	primary				{ $$ = $1; }
	| exp OR exp			{ $$ = mk_bin(st, OP_OR, $1, $3, @$, @2); }
	| exp AND exp			{ $$ = mk_bin(st, OP_AND, $1, $3, @$, @2); }
	| exp '|' exp			{ $$ = mk_bin(st, OP_BOR, $1, $3, @$, @2); }
	| exp '&' exp			{ $$ = mk_bin(st, OP_BAND, $1, $3, @$, @2); }
	| exp '^' exp			{ $$ = mk_bin(st, OP_BXOR, $1, $3, @$, @2); }
	| exp LSHIFT exp		{ $$ = mk_bin(st, OP_LSHIFT, $1, $3, @$, @2); }
	| exp RSHIFT exp		{ $$ = mk_bin(st, OP_RSHIFT, $1, $3, @$, @2); }
	| exp eqop exp %prec EQ		{ $$ = mk_bin(st, $2, $1, $3, @$, @2); }
	| exp cmpop exp %prec '<'	{ $$ = mk_bin(st, $2, $1, $3, @$, @2); }
	| exp '+' exp			{ $$ = mk_bin(st, OP_PLUS, $1, $3, @$, @2); }
	| exp '-' exp			{ $$ = mk_bin(st, OP_MINUS, $1, $3, @$, @2); }
	| exp '*' exp			{ $$ = mk_bin(st, OP_MUL, $1, $3, @$, @2); }
	| exp '/' exp			{ $$ = mk_bin(st, OP_DIV, $1, $3, @$, @2); }
	| exp MOD exp			{ $$ = mk_bin(st, OP_MOD, $1, $3, @$, @2); }
	| NOT exp			{ $$ = mk_un(st, OP_NOT, $2, @$, @1); }
	| '~' exp			{ $$ = mk_un(st, OP_BNOT, $2, @$, @1); }
	| '-' exp %prec UNARY
		{
			if ($2->kind == N_INT)
				$$ = neg_int(st, $2, @$);
			else
				$$ = mk_un(st, OP_NEG, $2, @$, @1);
		}
	| DEFINED exp			{ $$ = mk_un(st, OP_DEFINED, $2, @$, @1); }
	| INTCAST exp			{ $$ = mk_un(st, OP_CAST_INT, $2, @$, @1); }
	| STRCAST exp			{ $$ = mk_un(st, OP_CAST_STR, $2, @$, @1); }
	;

/* binary operators that share a precedence level */
eqop:
	EQ { $$ = OP_EQ; } | NE { $$ = OP_NE; } | MATCH { $$ = OP_MATCH; }
	| STREQ { $$ = OP_STREQ; } | STRNE { $$ = OP_STRNE; }
	| INTEQ { $$ = OP_INTEQ; } | INTNE { $$ = OP_INTNE; }
	;

cmpop:
	'<' { $$ = OP_LT; } | '>' { $$ = OP_GT; } | LE { $$ = OP_LE; } | GE { $$ = OP_GE; }
	;

/* primary -> NUMBER | STRING | PVAR | SELECT | cmd | oldcond | '(' exp ')'
 *          | '(' assign ')' | '{' actions '}' | strlen '(' exp ')'
 *          | strempty '(' exp ')' | selval '(' exp ',' exp ',' exp ')' */
primary:
	NUMBER				{ $$ = $1; }
	| STRING			{ $$ = $1; }
	| PVAR				{ $$ = $1; }
	| SELECT			{ $$ = $1; }
	| cmd				{ $$ = $1; }
	| oldcond			{ $$ = $1; }
	| '(' exp ')'			{ $$ = $2; }
	| '(' assign ')'		{ $$ = $2; }
	| '{' actions '}'		{ $$ = mk(st, N_BLOCK, @$); $$->a = $2.head; }
	| STRLEN '(' exp ')'		{ $$ = mk_un(st, OP_STRLEN, $3, @$, @1); }
	| STREMPTY '(' exp ')'		{ $$ = mk_un(st, OP_STREMPTY, $3, @$, @1); }
	| SELVAL '(' exp ',' exp ',' exp ')'
		{ $$ = mk(st, N_SELVAL, @$); $$->a = $3; $$->b = $5; $$->c = $7; $$->name_span = @1; }
	;

/* oldcond -> method strop (exp | ID) | uri_kw strop (exp | myself)
 *          | port_kw (cmpop | equalop) exp | proto_kw equalop (proto | exp)
 *          | ip_kw strop (ipnet | exp | host | myself)
 *          | myself equalop (uri_kw | ip_kw)        (spec §6.6) */
oldcond:
	OC_METHOD strop exp %prec EQ	{ $$ = mk_oldcond(st, $1, $2, $3, @$); }
	| OC_METHOD strop ID %prec EQ	{ $$ = mk_oldcond(st, $1, $2, $3, @$); }
	| OC_URI strop exp %prec EQ	{ $$ = mk_oldcond(st, $1, $2, $3, @$); }
	| OC_URI strop MYSELF %prec EQ	{ $$ = mk_oldcond(st, $1, $2, $3, @$); }
	| OC_PORT cmpop exp %prec '<'	{ $$ = mk_oldcond(st, $1, $2, $3, @$); }
	| OC_PORT equalop exp %prec EQ	{ $$ = mk_oldcond(st, $1, $2, $3, @$); }
	| OC_PROTO equalop PROTO_WORD %prec EQ
					{ $$ = mk_oldcond(st, $1, $2, $3, @$); }
	| OC_PROTO equalop exp %prec EQ	{ $$ = mk_oldcond(st, $1, $2, $3, @$); }
	| OC_IP strop ipnet %prec EQ	{ $$ = mk_oldcond(st, $1, $2, $3, @$); }
	| OC_IP strop exp %prec EQ	{ $$ = mk_oldcond(st, $1, $2, $3, @$); }
	| OC_IP strop hostid %prec EQ	{ $$ = mk_oldcond(st, $1, $2, host_done(st, $3, 0), @$); }
	| OC_IP strop MYSELF %prec EQ	{ $$ = mk_oldcond(st, $1, $2, $3, @$); }
	| MYSELF equalop OC_URI %prec EQ
					{ $$ = mk_oldcond(st, $3, $2, $1, @$); }
	| MYSELF equalop OC_IP %prec EQ	{ $$ = mk_oldcond(st, $3, $2, $1, @$); }
	;

/* old-style operators: strop -> equalop | '=~';  equalop -> '==' | '!=' | eq | ne */
strop:
	equalop				{ $$ = $1; }
	| MATCH				{ $$ = OP_MATCH; }
	;

equalop:
	EQ { $$ = OP_EQ; } | NE { $$ = OP_NE; } | STREQ { $$ = OP_STREQ; } | STRNE { $$ = OP_STRNE; }
	;

/* ipnet -> ip ['/' (NUMBER | ip)] */
ipnet:
	ipaddr %prec EQ			{ $$ = $1; }
	| ipaddr '/' NUMBER
		{
			int max = strchr($1->str, ':') ? 128 : 32;
			if ($3->ival < 0 || $3->ival > max)
				FAIL(@3, "invalid bit number in netmask: %lld (0 to %d)", (long long)$3->ival, max);
			$$ = $1;
			$$->ival = $3->ival;
			$$->span = @$;
		}
	| ipaddr '/' ipaddr		{ $$ = $1; $$->b = $3; $$->span = @$; }
	;

%%

/* ------------------------------------------------------------ helpers */

static cfgc_node *mk(cfgc_lexstate *st, cfgc_kind k, cfgc_span sp)
{
	return cfgc_node_new(st->ctx, k, sp);
}

static cfgc_nlist l_none(void)
{
	cfgc_nlist l = { NULL, NULL, 0 };
	return l;
}

static cfgc_nlist l_one(cfgc_node *n)
{
	cfgc_nlist l = { n, n, n ? 1 : 0 };
	if (n)
		n->next = NULL;
	return l;
}

/* Append one node (NULL is skipped). */
static cfgc_nlist l_add(cfgc_nlist l, cfgc_node *n)
{
	if (!n)
		return l;
	n->next = NULL;
	if (l.tail)
		l.tail->next = n;
	else
		l.head = n;
	l.tail = n;
	l.n++;
	return l;
}

/* Report an error at `sp` (once per parse: later ones are cascades). */
static void perr(cfgc_lexstate *st, cfgc_span sp, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (st->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cfgc_diag_span(st->ctx, CFGC_ERROR, code, sp, "%s", msg);
	st->ctx->syntax_errors++;
	st->failed = 1;
}

static cfgc_node *mk_bin(cfgc_lexstate *st, int op, cfgc_node *a, cfgc_node *b, cfgc_span sp,
                         cfgc_span opsp)
{
	cfgc_node *n = mk(st, N_BINOP, sp);
	n->op = op;
	n->a = a;
	n->b = b;
	n->name_span = opsp;
	return n;
}

static cfgc_node *mk_un(cfgc_lexstate *st, int op, cfgc_node *a, cfgc_span sp, cfgc_span opsp)
{
	cfgc_node *n = mk(st, N_UNOP, sp);
	n->op = op;
	n->a = a;
	n->name_span = opsp;
	return n;
}

/* A call: `name` is the lexer's node for the function or action word. */
/* The first call with parentheses in an expression (in source order), or
 * NULL. Depth-bounded like the linter (deeper nests are its concern). */
static const cfgc_node *first_call(const cfgc_node *e, int depth)
{
	const cfgc_node *r = NULL;

	if (!e || depth > 2000)
		return NULL;
	if (e->kind == N_CALL)
		return e->op ? NULL : e;
	if (e->kind == N_ROUTE_CALL)
		return NULL;
	if (!(r = first_call(e->a, depth + 1)) && !(r = first_call(e->b, depth + 1)))
		r = first_call(e->c, depth + 1);
	return r;
}

/* A function's parameter cannot contain a function call: Kamailio 5.6.3
 * stops parsing at the call's '(' ("use of function execution inside
 * params not allowed"), so this is a syntax error there. */
static int arg_no_call(cfgc_lexstate *st, const cfgc_node *e)
{
	const cfgc_node *f = first_call(e, 0);
	uint32_t p;

	if (!f)
		return 1;
	p = f->name_span.off + f->name_span.len;
	while (p < st->len && st->buf[p] != '(')
		p++;
	cfgc_span sp = { p < st->len ? p : f->span.off, 1 };
	perr(st, sp, "call-in-params", "a function call cannot be a parameter of another function ('%s' here)",
	     f->str ? f->str : "?");
	return 0;
}

static cfgc_node *mk_call(cfgc_lexstate *st, cfgc_node *name, cfgc_nlist args, cfgc_span sp, int bare)
{
	cfgc_node *n = mk(st, N_CALL, sp);
	n->str = name->str;
	n->name_span = name->span;
	n->args = args.head;
	n->nargs = args.n;
	n->op = bare;
	return n;
}

static cfgc_node *mk_ret(cfgc_lexstate *st, cfgc_kind k, cfgc_node *val, cfgc_span sp, int parens)
{
	cfgc_node *n = mk(st, k, sp);
	n->a = val;
	n->op = parens;
	return n;
}

/* Old-style condition: `left` is the keyword's node (ival = OC_*). */
static cfgc_node *mk_oldcond(cfgc_lexstate *st, cfgc_node *left, int op, cfgc_node *rhs, cfgc_span sp)
{
	cfgc_node *n = mk(st, N_OLDCOND, sp);
	n->op = op;
	n->ival = left->ival;
	n->str = left->str;
	n->name_span = left->span;
	n->b = rhs;
	return n;
}

/* A route block; `name` is the route_name node, or for event_route the
 * lexer's node holding "module:event". Unnamed blocks are "0", the default
 * block of their type (onreply_route[0] is the core reply route). */
static cfgc_node *mk_route(cfgc_lexstate *st, int type, cfgc_node *name, cfgc_nlist body, cfgc_span sp)
{
	cfgc_node *n = mk(st, N_ROUTE, sp);
	n->op = type;
	n->a = body.head;
	if (name) {
		n->str = name->str;
		n->name_span = type == RT_EVENT ? name->name_span : name->span;
		n->quoted = name->quoted ? 1 : 0;
	} else {
		n->str = "0";
	}
	if (type == RT_TM_ONREPLY && !strcmp(n->str, "0"))
		n->op = RT_CORE_ONREPLY;
	return n;
}

/* listen item: [proto:]host[:port]. str keeps the text as written. */
static cfgc_node *mk_socket(cfgc_lexstate *st, cfgc_node *proto, cfgc_node *host, cfgc_node *port,
                            cfgc_span sp)
{
	cfgc_node *n = mk(st, N_SOCKET, sp);
	n->op = proto ? (int)proto->ival : PROTO_NONE;
	n->a = host;
	n->ival = port ? port->ival : -1;
	n->str = cfgc_strndup(st->ctx, st->buf + sp.off, sp.len);
	n->slen = sp.len;
	return n;
}

/* '-' NUMBER as one literal (Kamailio's intno). */
static cfgc_node *neg_int(cfgc_lexstate *st, cfgc_node *num, cfgc_span sp)
{
	cfgc_node *n = mk(st, N_INT, sp);
	n->ival = (int64_t)(int32_t)(0u - (uint32_t)num->ival);
	n->str = cfgc_strndup(st->ctx, st->buf + sp.off, sp.len);
	return n;
}

/* Host names are built over their span; the text is copied once, at the
 * end (host_done), so long names stay linear. While building, a holds the
 * first word, ival counts the words and op is 1 when the first word is a
 * number. */
static cfgc_node *host_word(cfgc_lexstate *st, cfgc_node *w)
{
	cfgc_node *h = mk(st, N_HOST, w->span);
	h->a = w;
	h->ival = 1;
	h->op = w->kind == N_INT;
	return h;
}

/* A number followed by '.' can only start an IPv4 address (Kamailio reads
 * it so); a complete address is one IPV4 token, so this one is broken. */
static int host_more(cfgc_lexstate *st, cfgc_node *h, cfgc_node *w, cfgc_span sp, cfgc_span sepsp, int dot)
{
	(void)w;
	if (dot && h->ival == 1 && h->op) {
		perr(st, cfgc_span_join(h->span, sepsp), "syntax",
		     "invalid IPv4 address: a dotted address needs four numbers");
		return 0;
	}
	h->ival++;
	h->span = sp;
	return 1;
}

/* Finish a host name into an N_HOST holding the text (blanks dropped).
 * As a core parameter value (`as_value`), a single number or identifier
 * stays that token's node (N_INT, N_ID): `children = 4`, `group = g`. */
static cfgc_node *host_done(cfgc_lexstate *st, cfgc_node *h, int as_value)
{
	const char *s = st->buf + h->span.off;
	cfgc_node *w = h->a;
	char *t;
	size_t i, j = 0;

	if (h->kind != N_HOST || h->str)
		return h;
	if (as_value && h->ival == 1 && w && (w->kind == N_INT || w->str[0] < '0' || w->str[0] > '9'))
		return w;
	t = cfgc_alloc(st->ctx, h->span.len + 1);
	for (i = 0; i < h->span.len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			t[j++] = s[i];
	t[j] = '\0';
	h->str = t;
	h->slen = j;
	h->a = NULL;
	h->ival = 0;
	h->op = 0;
	return h;
}

/* uri:host / uri:port in forward(): an N_HOST with op 1. */
static cfgc_node *uri_part(cfgc_lexstate *st, const char *what, cfgc_span sp)
{
	cfgc_node *n = mk(st, N_HOST, sp);
	n->str = (char *)what;
	n->slen = strlen(what);
	n->op = 1;
	return n;
}

/* Each part of a dotted IPv4 address is 0..255. */
static int ip_check(cfgc_lexstate *st, cfgc_node *ip)
{
	const char *s = ip->str;

	for (int i = 0; i < 4; i++) {
		long v = 0;
		int nd = 0;
		while (*s >= '0' && *s <= '9') {
			if (v <= 255)
				v = v * 10 + (*s - '0');
			s++;
			nd++;
		}
		if (!nd || v > 255) {
			perr(st, ip->span, "syntax", "invalid IPv4 address '%s': each part must be 0 to 255",
			     ip->str);
			return 0;
		}
		if (*s == '.')
			s++;
	}
	return 1;
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case CP_INT: return "an integer";
	case CP_INT_SIGNED: return "an integer";
	case CP_STR: return "a string";
	case CP_ID: return "a name";
	case CP_STR_OR_ID: return "a string or a name";
	case CP_INT_OR_ID: return "an integer or a name";
	case CP_INT_OR_STR: return "an integer or a string";
	case CP_ADDR: return "an address, a host name or a string";
	case CP_IPV4: return "an IPv4 address";
	case CP_IPV6: return "an IPv6 address";
	case CP_TLS_METHOD: return "one of SSLv23, SSLv2, SSLv3, TLSv1";
	case CP_PROTO: return "one of udp, tcp, tls, sctp";
	case CP_SOCKETS: return "a list of sockets";
	default: return "a value";
	}
}

static const char *value_name(const cfgc_node *v)
{
	switch (v->kind) {
	case N_INT: return v->ival < 0 ? "a negative number" : "a number";
	case N_STR: return "a string";
	case N_ID: return "a name";
	case N_HOST: return "a host name";
	case N_IP: return "an address";
	case N_PROTO: return "a protocol";
	default: return "this value";
	}
}

/* The name of `name = value` at top level: a core parameter (spec §3.2). */
static int core_param_name(cfgc_lexstate *st, cfgc_node *name)
{
	size_t n = strlen(name->str);
	int kind;
	const char *newer;

	if (cfgc_core_param(name->str, n, &kind))
		return 1;
	newer = cfgc_core_param_newer(name->str, n);
	if (newer) {
		cfgc_diag *d;
		if (st->failed)
			return 0;
		d = cfgc_diag_span(st->ctx, CFGC_ERROR, "unknown-core-param", name->span,
		                   "unknown core parameter '%s'", name->str);
		cfgc_diag_help(st->ctx, d, "'%s' exists only in Kamailio releases after 5.6", newer);
		st->ctx->syntax_errors++;
		st->failed = 1;
		return 0;
	}
	perr(st, name->span, "unknown-core-param", "unknown core parameter '%s'", name->str);
	return 0;
}

/* Check a core parameter's value against its kind and build the node. */
static cfgc_node *core_param(cfgc_lexstate *st, cfgc_node *name, cfgc_node *val, cfgc_span sp)
{
	int kind = 0, ok;
	const char *canon = cfgc_core_param(name->str, strlen(name->str), &kind);
	int signed_lit = val->kind == N_INT && val->span.len && st->buf[val->span.off] == '-';
	cfgc_node *n;

	switch (kind) {
	case CP_INT: ok = val->kind == N_INT && !signed_lit; break;
	case CP_INT_SIGNED: ok = val->kind == N_INT; break;
	case CP_STR: ok = val->kind == N_STR; break;
	case CP_ID: ok = val->kind == N_ID && !val->op; break;
	case CP_STR_OR_ID: ok = val->kind == N_STR || (val->kind == N_ID && !val->op); break;
	case CP_INT_OR_ID: ok = (val->kind == N_INT && !signed_lit) || (val->kind == N_ID && !val->op); break;
	case CP_INT_OR_STR: ok = (val->kind == N_INT && !signed_lit) || val->kind == N_STR; break;
	case CP_ADDR:
		ok = val->kind == N_IP || val->kind == N_STR || val->kind == N_HOST || val->kind == N_ID ||
		     (val->kind == N_INT && !signed_lit);
		break;
	case CP_IPV4: ok = val->kind == N_IP && !strchr(val->str, ':'); break;
	case CP_IPV6: ok = val->kind == N_IP && strchr(val->str, ':'); break;
	case CP_TLS_METHOD: ok = val->kind == N_ID && val->op == 1; break;
	case CP_PROTO:
		ok = val->kind == N_PROTO && val->ival != PROTO_WS && val->ival != PROTO_WSS;
		break;
	default: ok = 0; break;
	}
	if (!ok) {
		perr(st, val->span, "syntax", "syntax error: '%s' takes %s, not %s", canon, kind_name(kind),
		     value_name(val));
		return NULL;
	}
	n = mk(st, N_CORE_PARAM, sp);
	n->str = (char *)canon;
	n->name_span = name->span;
	n->a = val;
	return n;
}

/* Callbacks of cfgengine KEMI that Kamailio 5.6.3 reads as kemi.NAME. */
static const char *const kemi_names[] = {
	"event_route_callback", "onsend_route_callback", "pre_routing_callback",
	"received_route_callback", "reply_route_callback", NULL,
};

/* group.var = value [desc "text"]: a cfg custom variable (spec §3.6), or
 * one of the kemi.* settings. */
static cfgc_node *cfg_var(cfgc_lexstate *st, cfgc_node *var, cfgc_node *val, cfgc_node *desc,
                          cfgc_span sp)
{
	cfgc_node *n;

	if (!strncmp(var->str, "kemi.", 5) && var->ival < 0) {
		const char *k = var->str + 5;
		int known = 0;
		for (int i = 0; kemi_names[i]; i++)
			if (!strcmp(kemi_names[i], k))
				known = 1;
		if (!known) {
			perr(st, var->span, "unknown-core-param", "unknown core parameter '%s'", var->str);
			return NULL;
		}
		if (val->kind != N_STR || desc) {
			perr(st, desc && val->kind == N_STR ? desc->span : val->span, "syntax",
			     "syntax error: '%s' takes a string (a function name)", var->str);
			return NULL;
		}
		n = mk(st, N_CORE_PARAM, sp);
		n->str = var->str;
		n->name_span = var->span;
		n->a = val;
		return n;
	}
	n = mk(st, N_CFG_VAR, sp);
	n->str = var->str;
	n->name_span = var->span;
	n->ival = var->ival;
	n->a = val;
	n->b = desc;
	return n;
}

/* Core parameter names are keywords in Kamailio: route(user) and
 * route[user] do not parse there. */
static int route_name_ok(cfgc_lexstate *st, cfgc_node *id)
{
	int kind;

	if (!cfgc_core_param(id->str, strlen(id->str), &kind))
		return 1;
	perr(st, id->span, "syntax",
	     "syntax error: unexpected keyword '%s' ('%s' is a core parameter; quote the route name: \"%s\")",
	     id->str, id->str, id->str);
	return 0;
}

/* ------------------------------------------------------ error messages */

/* How a token kind reads in "expected ..." lists: a class of tokens by
 * its description (identifier, string ...), a fixed token quoted ('==',
 * 'exit', ';'). */
static const char *sym_text(yysymbol_kind_t k, char *buf, size_t n)
{
	const char *s = yysymbol_name(k);
	size_t l = strlen(s);

	if (l >= 2 && s[0] == '"') { /* bison may keep the alias quotes */
		s++;
		l -= 2;
	}
	switch (k) {
	case YYSYMBOL_YYEOF: return "end of file";
	case YYSYMBOL_ID: case YYSYMBOL_NUM_ID: case YYSYMBOL_NUMBER: case YYSYMBOL_STRING:
	case YYSYMBOL_IPV4: case YYSYMBOL_IPV6: case YYSYMBOL_PVAR: case YYSYMBOL_SELECT:
	case YYSYMBOL_CP_ID: case YYSYMBOL_CFGVAR:
	case YYSYMBOL_CORE_FN: case YYSYMBOL_CORE_BARE:
	case YYSYMBOL_PROTO_WORD: case YYSYMBOL_TLSM: case YYSYMBOL_RESERVED: case YYSYMBOL_LEXERR:
	case YYSYMBOL_EVROUTE_LBRACK:
		snprintf(buf, n, "%.*s", (int)l, s);
		return buf;
	default:
		break;
	}
	if (l && s[0] == '\'')
		snprintf(buf, n, "%.*s", (int)l, s);
	else
		snprintf(buf, n, "'%.*s'", (int)l, s);
	return buf;
}

/* The offending token as written: kind and (short) text. */
static void tok_text(cfgc_lexstate *st, yysymbol_kind_t k, cfgc_span sp, char *buf, size_t n)
{
	const char *s = st->buf + sp.off;
	size_t l = sp.len, i;
	char txt[48];
	int cut = 0;

	if (k == YYSYMBOL_YYEOF || sp.off >= st->len) {
		snprintf(buf, n, "end of file");
		return;
	}
	for (i = 0; i < l && i < 32; i++)
		if (s[i] == '\n')
			break;
	if (i < l)
		cut = 1;
	l = i;
	for (i = 0; i < l; i++)
		txt[i] = (s[i] >= 32 && s[i] < 127) ? s[i] : '?';
	txt[l] = '\0';
	switch (k) {
	case YYSYMBOL_ID:
	case YYSYMBOL_CP_ID:
		snprintf(buf, n, "identifier '%s'", txt);
		break;
	case YYSYMBOL_NUM_ID:
		snprintf(buf, n, "name '%s'", txt);
		break;
	case YYSYMBOL_NUMBER:
		snprintf(buf, n, "number '%s'", txt);
		break;
	case YYSYMBOL_STRING:
		snprintf(buf, n, "string %s%s", txt, cut ? "..." : "");
		break;
	case YYSYMBOL_PVAR:
		snprintf(buf, n, "pseudo-variable '%s%s'", txt, cut ? "..." : "");
		break;
	case YYSYMBOL_IPV4:
	case YYSYMBOL_IPV6:
		snprintf(buf, n, "address '%s'", txt);
		break;
	case YYSYMBOL_SELECT:
		snprintf(buf, n, "select '%s%s'", txt, cut ? "..." : "");
		break;
	default:
		snprintf(buf, n, "'%s%s'", txt, cut ? "..." : "");
		break;
	}
}

/* Bison's hook for a syntax error: one diagnostic at the offending token
 * naming it by its text, with the expected tokens when there are few, and
 * the usual cause of an unexpected word inside a block. */
static int yyreport_syntax_error(const yypcontext_t *yyctx, yyscan_t scanner, cfgc_lexstate *st)
{
	yysymbol_kind_t tok = yypcontext_token(yyctx);
	yysymbol_kind_t exp[8];
	cfgc_span sp = *yypcontext_location(yyctx);
	char what[96], msg[400], nb[64];
	int nexp, semi = 0;
	size_t m;

	(void)scanner;
	if (st->failed || tok == YYSYMBOL_LEXERR)
		return 0; /* the lexer already said what is wrong */
	nexp = yypcontext_expected_tokens(yyctx, exp, 8);
	tok_text(st, tok, sp, what, sizeof what);
	m = (size_t)snprintf(msg, sizeof msg, "syntax error: unexpected %s", what);
	for (int i = 0; i < nexp; i++)
		if (!strcmp(yysymbol_name(exp[i]), "';'"))
			semi = 1;
	if (semi && st->braces > 0) {
		snprintf(msg + m, sizeof msg - m, " (missing ';'?)");
		nexp = 0;
	}
	if (nexp > 0 && nexp <= 4) {
		m += (size_t)snprintf(msg + m, sizeof msg - m, ", expected ");
		for (int i = 0; i < nexp && m < sizeof msg; i++)
			m += (size_t)snprintf(msg + m, sizeof msg - m, "%s%s",
			                      i == 0 ? "" : i == nexp - 1 ? " or " : ", ",
			                      sym_text(exp[i], nb, sizeof nb));
	}
	if (tok == YYSYMBOL_YYEOF && perr_eof(st, "syntax", msg))
		return 0;
	if (sp.len == 0 && sp.off > 0 && sp.off >= st->len)
		sp.off = st->len ? st->len - 1 : 0;
	perr(st, sp, "syntax", "%s", msg);
	return 0;
}

/* Only for bison's own failure: its stack is full (YYMAXDEPTH, 10000
 * levels of nesting). */
static void yyerror(const CFGC_YYLTYPE *loc, yyscan_t scanner, cfgc_lexstate *st, const char *msg)
{
	(void)scanner;
	(void)msg;
	perr(st, *loc, "syntax", "nesting too deep: the parser gives up here");
}

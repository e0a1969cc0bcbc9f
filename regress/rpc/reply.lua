-- regress/rpc: the OPTIONS reply of rpc.cfg; the tests rewrite `reason`
-- and reload the script through the RPC app_lua.reload.
reason = "Version A"

function options_reply()
	KSR.sl.sl_send_reply(200, reason)
end

function t09()
	show("tables", type(sr.sl), type(sr.maxfwd), type(sr.siputils), type(sr.textops))
	show("maxfwd.process_maxfwd", sr.maxfwd.process_maxfwd(10))
	show("siputils.has_totag", sr.siputils.has_totag())
	show("siputils.is_uri_user_e164", sr.siputils.is_uri_user_e164("sip:+4930123456@example.com"),
		sr.siputils.is_uri_user_e164("sip:4930123456@example.com"))
	show("textops.is_privacy", sr.textops.is_privacy("id"))
	show("sl.get_reply_totag", type(sr.sl.get_reply_totag()))
	show("sl.send_reply bad code", sr.sl.send_reply(99, "Bad"))
	show("sl.send_reply", sr.sl.send_reply(403, "Denied by Lua"))
end

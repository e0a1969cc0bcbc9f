order_list = (order_list or "") .. "b"
function order() KSR.info("order=" .. order_list .. "\n") end

KSR.info("dofile ran, handler=" .. type(handler) .. "\n")

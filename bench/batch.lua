-- wrk script: POST the same batch of specs (a JSON list) to /v1/allocations.
--   wrk ... -s bench/batch.lua URL -- BODY_FILE
function init(args)
  local f = assert(io.open(args[1], "r"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.path = "/v1/allocations"
  wrk.headers["Content-Type"] = "application/json"
end

-- wrk script: as cycle.lua, but every request's spec ends in a word of its own
-- (" #<thread>-<n>", which the spec pattern leaves unmatched): the same predictions,
-- but no answer can come from the answer cache.
--   wrk ... -s bench/unique.lua URL -- QUERY_FILE
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  counter = math.floor(id * #paths / 16)
  sent = 0
end

function request()
  counter = counter % #paths + 1
  sent = sent + 1
  return wrk.format("GET", paths[counter] .. "%20%23" .. id .. "-" .. sent)
end

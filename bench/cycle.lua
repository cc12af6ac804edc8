-- wrk script: GET every line of the query file in turn, each wrk thread from its own offset.
--   wrk ... -s bench/cycle.lua URL -- QUERY_FILE
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
  -- threads start far apart so that they do not ask the same spec at the same time
  counter = math.floor(id * #paths / 16)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

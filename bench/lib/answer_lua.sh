# Writes $1/answer.lua: wrk PUTs the answer in $1/answer.json as bearer $2,
# with a new value for its `__N__` placeholder on every call. The same body
# again would be a retried save, answered with the revision already made
# and recording no revision or event, so it would measure nothing real.
write_answer_lua() {
  local out=$1 token=$2
  grep -q __N__ "$out/answer.json" || { echo "the answer has no entry to vary (__N__)"; return 1; }
  cat > "$out/answer.lua" <<LUA
wrk.method = "PUT"
wrk.headers["content-type"] = "application/json"
wrk.headers["authorization"] = "Bearer $token"
local f = io.open("$out/answer.json"); local template = f:read("*a"); f:close()
local n = 0
request = function()
  n = n + 1
  local body = template:gsub("__N__", n .. ".5")
  return wrk.format(nil, nil, nil, body)
end
LUA
}

#!/usr/bin/env bash
# Realistic demo traffic for a running local stack (bin/silkroute dev), so that the dashboards
# (billing's /dashboard, Grafana) come alive within a minute: a few demo customers with keys and
# credit, and N chat completions spread over the catalog's models with a popularity skew, some
# streamed, at modest concurrency, with a progress bar.
#
#   deploy/demo-traffic.sh [-n REQUESTS] [-c CONCURRENCY]      (defaults: 300 requests, 4 at a time)
#
# Environment: SILKROUTE_ROUTER_URL (http://127.0.0.1:8080), SILKROUTE_BILLING_URL
# (http://127.0.0.1:8082), SILKROUTE_ADMIN_TOKEN (dev-admin-token), SILKROUTE_ROUTER_CATALOG
# (deploy/catalog.yaml). The customers and keys are kept in run/demo-customers and reused next time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUTER_URL="${SILKROUTE_ROUTER_URL:-http://127.0.0.1:8080}"
BILLING_URL="${SILKROUTE_BILLING_URL:-http://127.0.0.1:8082}"
ADMIN_TOKEN="${SILKROUTE_ADMIN_TOKEN:-dev-admin-token}"
CATALOG="${SILKROUTE_ROUTER_CATALOG:-$ROOT/deploy/catalog.yaml}"
STATE="$ROOT/run/demo-customers"
REQUESTS=300
CONCURRENCY=4

while getopts "n:c:h" opt; do
  case "$opt" in
    n) REQUESTS="$OPTARG" ;;
    c) CONCURRENCY="$OPTARG" ;;
    *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
[[ "$REQUESTS" =~ ^[1-9][0-9]*$ ]] || { echo "-n must be a positive number, got '$REQUESTS'" >&2; exit 2; }
[[ "$CONCURRENCY" =~ ^[1-9][0-9]*$ ]] || { echo "-c must be a positive number, got '$CONCURRENCY'" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }

json_field() { # json_field NAME < json : the first string value of NAME (flat, no escapes needed here)
  sed -n "s/.*\"$1\" *: *\"\([^\"]*\)\".*/\1/p" | head -n 1
}

admin() { # admin METHOD PATH [BODY]
  curl -sS --fail-with-body -X "$1" "$BILLING_URL$2" -H "Authorization: Bearer $ADMIN_TOKEN" \
    -H "Content-Type: application/json" ${3:+-d "$3"}
}

curl -sf "$ROUTER_URL/health" >/dev/null || { echo "router not answering at $ROUTER_URL (bin/silkroute dev?)" >&2; exit 1; }
curl -sf "$BILLING_URL/health" >/dev/null || { echo "billing not answering at $BILLING_URL (bin/silkroute dev?)" >&2; exit 1; }

# --- customers: reuse the ones from last time while billing still knows them -----------------------
customers=()   # "weight id key name"
if [[ -s "$STATE" ]]; then
  while IFS=' ' read -r weight id key name; do
    if admin GET "/admin/customers/$id" >/dev/null 2>&1; then customers+=("$weight $id $key $name"); fi
  done < "$STATE"
fi
if (( ${#customers[@]} == 0 )); then
  echo "Creating demo customers with \$25 of credit each..."
  mkdir -p "$(dirname "$STATE")"
  : > "$STATE"
  # Weights: how much of the traffic each sends, so that spend differs between customers.
  for spec in "8 Acme Robotics" "5 Globex Analytics" "3 Initech Support" "2 Umbrella Research"; do
    weight="${spec%% *}"; name="${spec#* }"
    id="$(admin POST /admin/customers "{\"name\":\"$name\"}" | json_field id)"
    key="$(admin POST "/admin/customers/$id/keys" '{"label":"demo-traffic"}' | json_field key)"
    admin POST "/admin/customers/$id/credits" '{"amount_micros":25000000,"note":"demo credit"}' >/dev/null
    [[ -n "$id" && -n "$key" ]] || { echo "could not create demo customer $name" >&2; exit 1; }
    echo "$weight $id $key $name" >> "$STATE"
    customers+=("$weight $id $key $name")
    echo "  $name: $id"
  done
fi

# --- models: the catalog's, skewed towards the popular ones ----------------------------------------
# Chat models only: the embedding models (listed after the "Embeddings" marker) do not chat.
mapfile -t catalog_models < <(sed -n '/^  # --- Embeddings/q; s/^  - id: *\([^ #]*\).*/\1/p' "$CATALOG")
(( ${#catalog_models[@]} > 0 )) || { echo "no models found in $CATALOG" >&2; exit 1; }
popularity() {
  case "$1" in
    deepseek/deepseek-chat-v3) echo 10 ;; google/gemini-2.5-flash) echo 7 ;; qwen/qwen3-32b) echo 6 ;;
    openai/gpt-4o-mini) echo 6 ;; anthropic/claude-sonnet-4) echo 5 ;; deepseek/deepseek-r1) echo 4 ;;
    moonshotai/kimi-k2) echo 4 ;; z-ai/glm-4.5) echo 3 ;; meta-llama/llama-3.3-70b-instruct) echo 3 ;;
    qwen/qwen3-235b-a22b) echo 3 ;; *) echo 1 ;;
  esac
}
weighted_models=()
for m in "${catalog_models[@]}"; do
  for ((i = 0; i < $(popularity "$m"); i++)); do weighted_models+=("$m"); done
done
weighted_keys=()
for c in "${customers[@]}"; do
  read -r weight _ key _ <<< "$c"
  for ((i = 0; i < weight; i++)); do weighted_keys+=("$key"); done
done

prompts=("Summarise the history of the silk road in three sentences."
  "Write a haiku about GPUs." "Translate 'good morning' into Chinese, French and Swahili."
  "Explain the difference between a mutex and a semaphore." "List five uses of camels."
  "What is the capital of Uzbekistan?" "Draft a polite reminder about an unpaid invoice."
  "Give me a regex for ISO dates.")

# --- traffic -----------------------------------------------------------------------------------------
results="$(mktemp)"
jobs_file="$(mktemp)"
trap 'rm -f "$results" "$jobs_file"' EXIT
for ((n = 0; n < REQUESTS; n++)); do
  key="${weighted_keys[RANDOM % ${#weighted_keys[@]}]}"
  model="${weighted_models[RANDOM % ${#weighted_models[@]}]}"
  prompt="${prompts[RANDOM % ${#prompts[@]}]}"
  stream=false; (( RANDOM % 5 == 0 )) && stream=true
  max_tokens=$(( 32 + RANDOM % 224 ))
  printf '%s\t%s\t%s\t%s\t%s\n' "$key" "$model" "$stream" "$max_tokens" "$prompt" >> "$jobs_file"
done

one_request() { # one_request "key<TAB>model<TAB>stream<TAB>max_tokens<TAB>prompt": appends the HTTP status
  IFS=$'\t' read -r key model stream max_tokens prompt <<< "$1"
  local body="{\"model\":\"$model\",\"stream\":$stream,\"max_tokens\":$max_tokens,\"messages\":[{\"role\":\"user\",\"content\":\"$prompt\"}]}"
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 "$ROUTER_URL/v1/chat/completions" \
    -H "Authorization: Bearer $key" -H "Content-Type: application/json" -d "$body" || echo 000)"
  echo "$code $model" >> "$RESULTS"
}
export -f one_request
export ROUTER_URL RESULTS="$results"

echo "Sending $REQUESTS requests over ${#catalog_models[@]} models from ${#customers[@]} customers, $CONCURRENCY at a time..."
tr '\n' '\0' < "$jobs_file" | xargs -0 -P "$CONCURRENCY" -I{} bash -c 'one_request "$1"' _ {} &
sender=$!

width=40
draw() {
  local done ok snapshot
  # One snapshot for both counts: read separately, a line landing in between would skew them.
  snapshot=$(cat "$results")
  done=$(grep -c '' <<< "$snapshot" || true); ok=$(grep -c '^200 ' <<< "$snapshot" || true)
  [[ -n "$snapshot" ]] || done=0
  local filled=$(( done * width / REQUESTS ))
  printf '\r  [%-*s] %d/%d  ok %d  failed %d ' "$width" "$(printf '%*s' "$filled" '' | tr ' ' '#')" \
    "$done" "$REQUESTS" "$ok" "$(( done - ok ))"
}
while kill -0 "$sender" 2>/dev/null; do draw; sleep 0.3; done
wait "$sender" || true
draw; echo

failed=$(grep -vc '^200 ' "$results" || true)
if (( failed > 0 )); then
  echo "Failures by status and model:"
  grep -v '^200 ' "$results" | sort | uniq -c | sort -rn | head -n 10
fi
echo
echo "Dashboard:  $BILLING_URL/dashboard   (admin token: \$SILKROUTE_ADMIN_TOKEN, default dev-admin-token)"
echo "Metrics:    $ROUTER_URL/prometheus, $BILLING_URL/prometheus"

// Drives a running Silkroute router with OpenRouter's own TypeScript SDK (@openrouter/sdk), on one
// base URL, as an OpenRouter user would. The SDK validates every answer (and every streamed chunk)
// against OpenRouter's published schemas and throws when one does not fit, so a call that returns
// is a call whose answer OpenRouter's clients accept.
//
// Environment: SILKROUTE_BASE_URL (e.g. http://127.0.0.1:8080/api/v1), SILKROUTE_API_KEY (a key
// with credit), SILKROUTE_MODEL (a chat model with at least two providers, default
// deepseek/deepseek-chat-v3).
// Prints one line per check: "ok <name>", "SKIP-UNTIL-MERGED <name>: ..." or "FAIL <name>: ...";
// exits 1 if any check failed.
import { OpenRouter } from "@openrouter/sdk";
import * as errors from "@openrouter/sdk/models/errors";

const baseUrl = required("SILKROUTE_BASE_URL");
const apiKey = required("SILKROUTE_API_KEY");
const model = process.env.SILKROUTE_MODEL ?? "deepseek/deepseek-chat-v3";
const [author, slug] = model.split("/");

const client = new OpenRouter({ apiKey, serverURL: baseUrl, retryConfig: { strategy: "none" } });
const failures = [];
const generations = [];

await check("models: list, paged with total_count and links", async () => {
  const pages = await client.models.list();
  const all = [];
  for await (const page of pages) {
    all.push(...page.result.data);
  }
  expect(all.some((m) => m.id === model), `${model} listed`);
  const first = (await client.models.list({ offset: 0, limit: 1 })).result;
  expect(first.data.length === 1 && first.totalCount === all.length, "one model per page, total_count of all");
  expect(all.length === 1 || typeof first.links.next === "string", "links.next on a page before the last");
  expect(all.every((m) => m.links.details.endsWith("/endpoints")), "links.details of every model");
});

let providers = [];
await check("endpoints: the model's endpoints with status, percentiles and tool choice", async () => {
  const answer = await client.endpoints.list({ author, slug });
  const endpoints = answer.data.endpoints;
  expect(endpoints.length >= 2, `${model} has at least two endpoints`);
  expect(endpoints.every((e) => e.modelId === model && typeof e.supportsToolChoice.auto === "boolean"),
    "model_id and supports_tool_choice on every endpoint");
  providers = endpoints.map((e) => e.providerName);
});

await check("chat: a completion, not streamed", async () => {
  const answer = await client.chat.send({
    chatRequest: { model, messages: [{ role: "user", content: "Which goods travelled west?" }], maxTokens: 32 },
  });
  expect(answer.choices[0].message.content.length > 0, "an answer");
  expect(answer.usage.totalTokens > 0, "usage");
  generations.push(answer.id);
});

await check("chat: a completion, streamed, with usage", async () => {
  const stream = await client.chat.send({
    chatRequest: {
      model, stream: true, streamOptions: { includeUsage: true },
      messages: [{ role: "user", content: "And which went east?" }], maxTokens: 32,
    },
  });
  let text = "";
  let usage;
  let id;
  for await (const chunk of stream) {
    id = chunk.id;
    text += chunk.choices[0]?.delta?.content ?? "";
    usage = chunk.usage ?? usage;
  }
  expect(text.length > 0, "streamed text");
  expect(usage && usage.completionTokens > 0, "a final usage chunk");
  generations.push(id);
});

await check("chat: provider preferences (order, no fallbacks) decide who serves", async () => {
  const wanted = providers[providers.length - 1];
  const answer = await client.chat.send({
    chatRequest: {
      model, messages: [{ role: "user", content: "Who carried them?" }], maxTokens: 16,
      provider: { order: [wanted], allowFallbacks: false },
    },
  });
  const generation = await generationOf(answer.id);
  expect(generation.providerName === wanted, `served by ${wanted}, not ${generation.providerName}`);
});

await check("generation: each completion by its id", async () => {
  expect(generations.length > 0, "completions to look up");
  for (const id of generations) {
    const generation = await generationOf(id);
    expect(generation.id === id && generation.model === model, `generation ${id}`);
    expect(generation.totalCost > 0 && generation.tokensCompletion > 0, "cost and tokens");
  }
});

await check("credits", async () => {
  const answer = await client.credits.getCredits();
  expect(answer.data.totalCredits > 0 && answer.data.totalUsage > 0, "credit granted and used");
});

await check("key: the calling key", async () => {
  const answer = await client.apiKeys.getCurrentKeyMetadata();
  expect(answer.data.usage > 0, "the key's usage");
});

await check("errors: an unknown model is OpenRouter's typed 404", async () => {
  await expectError(NotFound(), () => client.chat.send({
    chatRequest: { model: "nobody/no-such-model", messages: [{ role: "user", content: "hi" }] },
  }));
});

await check("errors: a bad key is OpenRouter's typed 401", async () => {
  const stranger = new OpenRouter({ apiKey: "sk-sr-v1-" + "0".repeat(64), serverURL: baseUrl,
    retryConfig: { strategy: "none" } });
  await expectError(errors.UnauthorizedResponseError, () => stranger.credits.getCredits());
});

await check("embeddings", async () => {
  const listed = [];
  for await (const page of await client.models.list({ outputModalities: "embeddings" })) {
    listed.push(...page.result.data);
  }
  const embedding = listed.find((m) => m.architecture.outputModalities.includes("embeddings"));
  if (!embedding) {
    throw new Error("no embedding model in the catalog");
  }
  const answer = await client.embeddings.generate({
    requestBody: { model: embedding.id, input: "silk and tea" },
  });
  expect(typeof answer === "object", "an embeddings answer");
});

await check("responses", async () => {
  const answer = await client.responses.send({
    responsesRequest: { model, input: "Which goods travelled west?", maxOutputTokens: 32 },
  });
  expect(answer.output.length > 0, "output items");
});

if (failures.length > 0) {
  console.log(`${failures.length} check(s) failed: ${failures.join(", ")}`);
  process.exit(1);
}
console.log("all checks passed");

// ---

/** Runs one check, printing its outcome; a thrown SDKValidationError is an answer OpenRouter's schemas reject. */
async function check(name, body) {
  try {
    await body();
    console.log(`ok ${name}`);
  } catch (e) {
    failures.push(name);
    console.log(`FAIL ${name}: ${describe(e)}`);
  }
}


/** The generation, once the router has logged it (it is written as the request's usage event goes out). */
async function generationOf(id) {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await client.generations.getGeneration({ id })).data;
    } catch (e) {
      if (!(e instanceof errors.NotFoundResponseError) || attempt >= 50) {
        throw e;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function NotFound() {
  return errors.NotFoundResponseError;
}

async function expectError(type, call) {
  try {
    await call();
  } catch (e) {
    if (e instanceof type) {
      expect(e.data$?.error?.code === e.statusCode, `error.code ${e.data$?.error?.code} is the status`);
      return;
    }
    throw e;
  }
  throw new Error(`expected ${type.name}, got an answer`);
}

function expect(condition, what) {
  if (!condition) {
    throw new Error(`expected ${what}`);
  }
}

function describe(e) {
  const detail = e?.rawValue !== undefined ? ` (raw: ${JSON.stringify(e.rawValue).slice(0, 1500)})` : "";
  const cause = e?.cause ? ` cause: ${e.cause.message ?? e.cause}` : "";
  return `${e?.constructor?.name ?? "Error"}: ${e?.message ?? e}${cause}${detail}`.slice(0, 4000);
}

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`set ${name}`);
    process.exit(2);
  }
  return value;
}

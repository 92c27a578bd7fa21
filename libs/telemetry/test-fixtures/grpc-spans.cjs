// Run by src/grpc-instrumentation.test.ts in a plain node process: the gRPC instrumentation hooks
// node's own require, which Jest's module system bypasses. Prints the finished spans as JSON.
// argv[2] === 'grpc-first' loads grpc-js before telemetry starts, the order a careless main.ts has.
'use strict';
const path = require('node:path');

const grpcFirst = process.argv[2] === 'grpc-first';
const earlyGrpc = grpcFirst ? require('@grpc/grpc-js') : undefined;
const { startTelemetry } = require(path.join(__dirname, '..', 'dist', 'index.js'));
const telemetry = startTelemetry({ serviceName: 'grpc-spans', exporter: 'memory' });
// In grpc-first mode nothing here requires grpc-js again: startTelemetry must patch it by itself.
const grpc = earlyGrpc ?? require('@grpc/grpc-js');

const identity = (b) => b;
const definition = {
  echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

async function main() {
  const server = new grpc.Server();
  server.addService(definition, { echo: (call, callback) => callback(null, call.request) });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const Client = grpc.makeGenericClientConstructor(definition, 'Echo');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const reply = await new Promise((resolve, reject) =>
    client.echo(Buffer.from('ping'), (err, res) => (err ? reject(err) : resolve(res))),
  );
  client.close();
  await new Promise((resolve) => server.tryShutdown(resolve));
  const spans = telemetry.memoryExporter.getFinishedSpans().map((s) => ({
    name: s.name,
    kind: s.kind,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
    attributes: s.attributes,
  }));
  await telemetry.shutdown();
  process.stdout.write(JSON.stringify({ reply: reply.toString(), spans }) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// A FIWARE IoT Agent for JSON devices, for the interop test (tests/interop/test_iot_agent.py).
//
// The northbound half is the real FIWARE IoT Agent library (npm `iotagent-node-lib`): its
// provisioning API (/iot/services, /iot/devices), device registry, measure-to-NGSI-LD mapping,
// TimeInstant handling, OAuth2 token and every request it sends to the context broker. The
// FIWARE `iotagent-json` package, which adds the JSON southbound on top of that library, is not
// published on the npm registry (its releases ship as Docker images), so this file is its
// southbound half: the same MQTT topics (`/<apikey>/<device>/attrs`, `/json/<apikey>/<device>/attrs`)
// and HTTP endpoint (`POST /iot/json?k=<apikey>&i=<device>`), handing each JSON measure to the
// library exactly as that binding does.
//
// Configured by the library's own IOTA_* variables (IOTA_CB_URL, IOTA_CB_NGSI_VERSION=ld,
// IOTA_NORTH_PORT, IOTA_REGISTRY_TYPE, IOTA_AUTH_*, IOTA_TIMESTAMP, IOTA_JSON_LD_CONTEXT, ...)
// plus the southbound's IOTA_MQTT_HOST, IOTA_MQTT_PORT and IOTA_HTTP_PORT. Prints one line
// `READY` on stdout when both halves listen; stops on SIGTERM.

'use strict';

const http = require('node:http');
const iotAgentLib = require('iotagent-node-lib');
const mqtt = require('mqtt');

const DEFAULT_TYPE = 'Text';
const HTTP_RESOURCE = '/iot/json';

const config = {
    logLevel: process.env.IOTA_LOG_LEVEL || 'ERROR',
    contextBroker: { ngsiVersion: 'ld' },
    server: { port: 4041, host: '127.0.0.1' },
    deviceRegistry: { type: 'memory' },
    types: {},
    service: 'default',
    subservice: '/',
    providerUrl: 'http://127.0.0.1:4041',
    defaultResource: HTTP_RESOURCE,
    defaultType: 'Thing',
    timestamp: true
};

// The attribute type the device or its group declares for a measure key (by object_id or name).
function declaredType(device, key) {
    const declared = (device.active || []).find((attr) => attr.object_id === key || attr.name === key);
    return declared ? declared.type : DEFAULT_TYPE;
}

// One JSON measure of one device to the library, which maps and sends it to the broker.
function handleMeasure(apikey, deviceId, payload, done) {
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
        done(Object.assign(new Error('a measure is a JSON object'), { code: 400 }));
        return;
    }
    iotAgentLib.retrieveDevice(deviceId, apikey, (error, device) => {
        if (error) {
            done(error);
            return;
        }
        const values = Object.entries(payload).map(([key, value]) => ({
            name: key,
            type: declaredType(device, key),
            value
        }));
        iotAgentLib.update(device.name, device.type, '', values, device, done);
    });
}

function startMqtt(callback) {
    const url = `mqtt://${process.env.IOTA_MQTT_HOST || '127.0.0.1'}:${process.env.IOTA_MQTT_PORT || 1883}`;
    const client = mqtt.connect(url, { clientId: `iota-interop-${process.pid}`, clean: true });
    client.on('message', (topic, message) => {
        // ['', 'json', apikey, device, 'attrs'] or ['', apikey, device, 'attrs']
        const parts = topic.split('/');
        const [apikey, deviceId] = parts.length === 5 ? [parts[2], parts[3]] : [parts[1], parts[2]];
        let payload;
        try {
            payload = JSON.parse(message.toString());
        } catch (error) {
            process.stderr.write(`MQTT ${topic}: not JSON: ${error.message}\n`);
            return;
        }
        handleMeasure(apikey, deviceId, payload, (error) => {
            process.stdout.write(`MQTT ${topic} ${error ? 'ERROR ' + error.message : 'OK'}\n`);
        });
    });
    client.once('connect', () => {
        client.subscribe(['/+/+/attrs', '/json/+/+/attrs'], { qos: 1 }, (error) => callback(error, client));
    });
    client.once('error', (error) => callback(error));
}

function startHttp(callback) {
    const server = http.createServer((request, response) => {
        const url = new URL(request.url, 'http://southbound');
        if (request.method !== 'POST' || url.pathname !== HTTP_RESOURCE) {
            response.writeHead(404).end();
            return;
        }
        const chunks = [];
        request.on('data', (chunk) => chunks.push(chunk));
        request.on('end', () => {
            let payload;
            try {
                payload = JSON.parse(Buffer.concat(chunks).toString());
            } catch (error) {
                response.writeHead(400).end(error.message);
                return;
            }
            handleMeasure(url.searchParams.get('k'), url.searchParams.get('i'), payload, (error) => {
                const status = error ? error.code || 500 : 200;
                process.stdout.write(`HTTP ${request.url} ${error ? 'ERROR ' + error.message : 'OK'}\n`);
                response.writeHead(status, { 'Content-Type': 'application/json' });
                response.end(JSON.stringify(error ? { name: error.name, message: error.message } : {}));
            });
        });
    });
    server.listen(Number(process.env.IOTA_HTTP_PORT || 7896), '127.0.0.1', () => callback(null, server));
}

iotAgentLib.activate(config, (error) => {
    if (error) {
        process.stderr.write(`the IoT Agent library did not start: ${error.message}\n`);
        process.exit(1);
    }
    startMqtt((mqttError, client) => {
        if (mqttError) {
            process.stderr.write(`MQTT: ${mqttError.message}\n`);
            process.exit(1);
        }
        startHttp((httpError, server) => {
            process.stdout.write('READY\n');
            process.once('SIGTERM', () => {
                server.close();
                client.end(true, () => iotAgentLib.deactivate(() => process.exit(0)));
            });
        });
    });
});

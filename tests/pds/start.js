// Starts a PLC directory and a Bluesky PDS for CivicDesk's tests, both bound to 127.0.0.1 only, with a throw-away
// data directory. Their packaged start routines listen on every interface, so the servers are built here and
// listened on loopback by hand (the same steps as PDS.start() and PlcServer.start()).
// Prints one line `{"ready":true,"pds":"http://localhost:P","plc":"http://127.0.0.1:Q","dataDir":...}` when ready,
// and stops (removing the data directory) on SIGTERM/SIGINT or when stdin closes (the parent test process died).
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const net = require('node:net')
const events = require('node:events')
const crypto = require('node:crypto')
const { PDS, envToCfg, envToSecrets } = require('@atproto/pds')
const { PlcServer, Database: PlcDatabase } = require('@did-plc/server')
const { Secp256k1Keypair } = require('@atproto/crypto')

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })

const listenLoopback = async (app, port) => {
  const server = app.listen(port, '127.0.0.1')
  await events.once(server, 'listening')
  return server
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civicdesk-pds-'))

  const plcPort = await freePort()
  const plc = PlcServer.create({ db: PlcDatabase.mock(), port: plcPort })
  const plcServer = await listenLoopback(plc.app, plcPort)
  const plcUrl = `http://127.0.0.1:${plcPort}`

  // The PDS names itself http://localhost:<port> (its dev-mode public URL); localhost resolves to 127.0.0.1 here.
  const pdsPort = await freePort()
  const rotationKey = await Secp256k1Keypair.create({ exportable: true })
  const env = {
    port: pdsPort,
    hostname: 'localhost',
    devMode: true,
    dataDirectory: dataDir,
    blobstoreDiskLocation: path.join(dataDir, 'blobs'),
    didPlcUrl: plcUrl,
    serviceHandleDomains: ['.test'],
    inviteRequired: false,
    jwtSecret: crypto.randomBytes(32).toString('hex'),
    adminPassword: 'admin-pass',
    plcRotationKeyK256PrivateKeyHex: Buffer.from(await rotationKey.export()).toString('hex'),
    crawlers: [],
    rateLimitsEnabled: false,
  }
  const pds = await PDS.create(envToCfg(env), envToSecrets(env))
  await pds.ctx.sequencer.start()
  const pdsServer = await listenLoopback(pds.app, pdsPort)
  pdsServer.keepAliveTimeout = 90000

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    try {
      await pds.ctx.sequencer.destroy()
      pdsServer.closeAllConnections?.()
      pdsServer.close()
      await pds.ctx.backgroundQueue.destroy()
      await pds.ctx.accountManager.close()
      plcServer.closeAllConnections?.()
      plcServer.close()
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true })
      process.exit(0)
    }
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  process.stdin.on('end', stop)
  process.stdin.resume()

  process.stdout.write(JSON.stringify({ ready: true, pds: `http://localhost:${pdsPort}`, plc: plcUrl, dataDir }) + '\n')
}

main().catch((err) => {
  process.stderr.write(`pds start failed: ${err && err.stack ? err.stack : err}\n`)
  process.exit(1)
})

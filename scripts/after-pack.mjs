// electron-builder afterPack hook (electron-builder.yml): flips Electron's fuses in the packed binary, before it is
// signed and put in an installer. Fuses are bits compiled into the Electron executable that switch features off
// for good — no environment variable or command-line flag can turn them back on.
//
//   RunAsNode                               off  ELECTRON_RUN_AS_NODE cannot turn Atelier into a plain Node.js that
//                                                runs any script with the app's identity (and keychain access). The
//                                                app forks no child with it (the library reader is a worker thread).
//   EnableNodeOptionsEnvironmentVariable    off  NODE_OPTIONS (--require, --inspect…) is ignored.
//   EnableNodeCliInspectArguments           off  --inspect / --inspect-brk are ignored. Playwright's _electron needs
//                                                them, so the e2e smoke test drives the unpackaged app (`electron .`).
//   OnlyLoadAppFromAsar                     on   Electron loads the app only from resources/app.asar, never from a
//                                                resources/app folder someone drops beside it. Needs `asar: true`.
//   EnableCookieEncryption                  on   Cookies on disk are encrypted with a key kept in the OS keychain
//                                                (macOS Keychain, Windows DPAPI, libsecret/kwallet on Linux). One-way:
//                                                turning it off later loses the cookies.
//   EnableEmbeddedAsarIntegrityValidation   on   app.asar is checked against the hash electron-builder embeds in the
//                                                bundle (macOS Info.plist ElectronAsarIntegrity, Windows resource); an
//                                                edited archive refuses to load. No effect on Linux, where Electron has
//                                                no integrity check yet.
//
// `flipFuses` is passed in so test/unit/packaging.test.ts can call the hook with a recording stand-in.

/** The six fuses and their values, by @electron/fuses' FuseV1Options names. */
export const FUSES = {
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  OnlyLoadAppFromAsar: true,
  EnableCookieEncryption: true,
  EnableEmbeddedAsarIntegrityValidation: true,
}

/** electron-builder's Arch enum: ia32 0, x64 1, armv7l 2, arm64 3, universal 4. */
const ARCH_ARM64 = 3
const ARCH_UNIVERSAL = 4

/** The Electron executable (or .app bundle) electron-builder just packed. */
export function electronBinaryOf(context) {
  const { appOutDir, electronPlatformName, packager } = context
  const name = packager.appInfo.productFilename
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return `${appOutDir}/${name}.app`
    case 'win32':
      return `${appOutDir}/${name}.exe`
    default:
      return `${appOutDir}/${packager.executableName}`
  }
}

/** Flips FUSES in the packed app with `fuses` (the @electron/fuses module, or a stand-in). */
export async function applyFuses(context, fuses) {
  const { flipFuses, FuseVersion, FuseV1Options } = fuses
  const wanted = {}
  for (const [name, value] of Object.entries(FUSES)) {
    const key = FuseV1Options[name]
    if (key === undefined) throw new Error(`@electron/fuses has no fuse named ${name}`)
    wanted[key] = value
  }
  const mac = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas'
  await flipFuses(electronBinaryOf(context), {
    version: FuseVersion.V1,
    // Flipping a fuse breaks the ad-hoc signature Apple silicon requires to launch anything; re-sign ad hoc so an
    // unsigned local build still starts (a Developer ID signature, when configured, replaces it afterwards).
    resetAdHocDarwinSignature: mac && (context.arch === ARCH_ARM64 || context.arch === ARCH_UNIVERSAL),
    ...wanted,
  })
}

export default async function afterPack(context) {
  await applyFuses(context, await import('@electron/fuses'))
}

#!/usr/bin/env bash
# Installs what SymbolicGrad's tests need beyond the .NET SDK, each only when it is missing (a few milliseconds when
# everything is there). Run by the builds of the test projects that need it (so `dotnet test` on a fresh machine
# installs it), and by .ci/run.
#
#   eng/install-prerequisites.sh browser   Debian's Chromium, for the Explorer's browser tests (tests/SymbolicGrad.Explorer.Tests)
#   eng/install-prerequisites.sh native    clang and zlib's headers, for the NativeAOT test (tests/SymbolicGrad.Package.Tests)
#
# Needs Debian's apt-get and root (or passwordless sudo). Without them it prints what to install and exits 0: the
# tests that need the missing piece then fail with the same advice. SYMBOLICGRAD_SKIP_PREREQUISITES=1 skips it.
set -uo pipefail

[ "${SYMBOLICGRAD_SKIP_PREREQUISITES:-}" = "1" ] && exit 0

missing=()
find_missing() {
  missing=()
  for what in "$@"; do
    case "$what" in
      browser)
        command -v chromium > /dev/null 2>&1 || missing+=(chromium chromium-driver) ;;
      native)
        command -v clang > /dev/null 2>&1 || missing+=(clang)
        dpkg -s zlib1g-dev > /dev/null 2>&1 || missing+=(zlib1g-dev) ;;
      *)
        echo "install-prerequisites: unknown prerequisite '$what' (browser, native)" >&2
        exit 2 ;;
    esac
  done
}
find_missing "$@"
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get > /dev/null 2>&1; then
  echo "install-prerequisites: warning: ${missing[*]} missing and apt-get not found; install them to run every test" >&2
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo > /dev/null 2>&1 && sudo -n true 2> /dev/null; then
    sudo=(sudo -n)
  else
    echo "install-prerequisites: warning: ${missing[*]} missing; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 0
  fi
fi

# Test projects build in parallel: one apt-get at a time.
exec 9> "${TMPDIR:-/tmp}/symbolicgrad-prerequisites.lock"
flock 9
find_missing "$@"   # another build may have installed them while this one waited
[ "${#missing[@]}" -eq 0 ] && exit 0
echo "install-prerequisites: installing ${missing[*]} (once; about a minute)"
start=$SECONDS
if "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" > /dev/null; then
  echo "install-prerequisites: installed ${missing[*]} in $((SECONDS - start)) s"
else
  echo "install-prerequisites: warning: could not install ${missing[*]}; the tests that need them will say so" >&2
fi
exit 0

#!/usr/bin/env bash
# Regenerates the figures the README shows (docs/images/*.png) from the samples, with their full budgets (#12).
# Usage: bash samples/render-figures.sh      (about a minute after the build)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

render() { # sample figure image-name
  if [ ! -f "$out/$1/$2.png" ]; then
    dotnet run -c Release --project "samples/$1" -- --out "$out/$1" > /dev/null
  fi
  cp "$out/$1/$2.png" "docs/images/$3.png"
  echo "docs/images/$3.png  <- samples/$1 ($2)"
}

mkdir -p docs/images
render LearningRates bowl-paths samples-learning-rates
render TwoValleys escapes samples-two-valleys
render Backprop circuit samples-backprop
render OptimizerRace rosenbrock-race samples-optimizer-race
render Newton boyd-newton samples-newton

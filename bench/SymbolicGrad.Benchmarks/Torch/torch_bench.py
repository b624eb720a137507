"""The PyTorch contender of the SymbolicGrad benchmarks.

Every problem of the report written as a PyTorch user writes it: float64 tensors, the parameters as leaves with
requires_grad, vectorized operations, loss.backward(), and the gradients reset before each call
(zero_grad(set_to_none=True), PyTorch 2's default). One thread (torch.set_num_threads(1), and OpenBLAS/OpenMP limited
to one thread before torch loads).

The C# side (Torch/TorchRunner.cs) writes a manifest and the problems' data (the very arrays the C# contenders read, as
raw little-endian float64/int32 files) into a folder and runs:

    python3 torch_bench.py probe                     versions and thread count, as JSON on stdout
    python3 torch_bench.py evaluate MANIFEST OUT     value and gradient of every case (gradients as .f64 files)
    python3 torch_bench.py time MANIFEST OUT         the median time of one call of every case

Timing uses torch.utils.benchmark.Timer.blocked_autorange: it warms up while it sizes blocks of calls, then times
blocks until min_run_time has passed, and reports the median over blocks of the time per call.
"""

import json
import os
import platform
import sys

# Before torch loads: one thread for OpenMP and for the BLAS library torch calls (Debian's torch uses the system
# libblas.so.3, OpenBLAS when libopenblas0 is installed).
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.utils import benchmark  # noqa: E402

torch.set_num_threads(1)
DTYPE = torch.float64


# ---- the problems, one function each: (parameters, data, scalars) -> loss --------------------------------------

def square(p, d, s):
    return (p["x"] - 3) ** 2


def sum_times(p, d, s):
    return (p["x"] + p["y"]) * p["z"]


def quadratic(p, d, s):
    return p["v0"] ** 2 + 3 * p["v0"] * p["v1"]


def bowl(p, d, s):
    return p["w"] ** 2 + 4 * p["b"] ** 2


def rosenbrock2(p, d, s):
    return (1 - p["x"]) ** 2 + 100 * (p["y"] - p["x"] ** 2) ** 2


def rosenbrock(p, d, s):
    x = p["x"]
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def mse(p, d, s):
    return ((p["w"] * d["x"] + p["b"] - d["y"]) ** 2).mean()


def logistic_regression(p, d, s):
    return F.binary_cross_entropy_with_logits(d["x"] @ p["w"] + p["b"], d["y"])


def mlp_tanh(p, d, s):
    h = torch.tanh(F.linear(d["x"], p["w1"], p["b1"]))
    return ((h @ p["w2"] + p["b2"] - d["y"]) ** 2).mean()


def softmax_mlp(p, d, s):
    h = torch.tanh(F.linear(d["x"], p["w1"], p["b1"]))
    return F.cross_entropy(F.linear(h, p["w2"], p["b2"]), d["labels"])


_tril_cache = {}


def _lower_indices(dim):
    """Rows and columns of the strictly lower triangle, column by column: the order of ADBench's icf."""
    if dim not in _tril_cache:
        rows = [j for i in range(dim) for j in range(i + 1, dim)]
        cols = [i for i in range(dim) for _ in range(i + 1, dim)]
        _tril_cache[dim] = (torch.tensor(rows, dtype=torch.long), torch.tensor(cols, dtype=torch.long))
    return _tril_cache[dim]


def gmm(p, d, s):
    """ADBench's GMM objective (its PyTorch module's gmm_objective), vectorized over points and components."""
    alphas, means, icf, x = p["alphas"], p["means"], p["icf"], d["x"]
    n, dim = x.shape
    k = alphas.shape[0]
    q_diags = torch.exp(icf[:, :dim])
    sum_qs = icf[:, :dim].sum(1)
    rows, cols = _lower_indices(dim)
    ls = icf.new_zeros(k, dim, dim)
    ls[:, rows, cols] = icf[:, dim:]
    centered = x[:, None, :] - means[None, :, :]                                  # (n, k, dim)
    q_centered = q_diags * centered + torch.einsum("kij,nkj->nki", ls, centered)   # Q_k (x_i - mu_k)
    main_term = alphas + sum_qs - 0.5 * (q_centered ** 2).sum(2)                    # (n, k)
    slse = torch.logsumexp(main_term, 1).sum()
    gamma, m = s["gamma"], s["m"]
    prior = (0.5 * gamma * gamma * ((q_diags ** 2).sum(1) + (icf[:, dim:] ** 2).sum(1)) - m * sum_qs).sum()
    return s["constant"] + slse - n * torch.logsumexp(alphas, 0) + prior


MODELS = {f.__name__: f for f in (square, sum_times, quadratic, bowl, rosenbrock2, rosenbrock, mse,
                                   logistic_regression, mlp_tanh, softmax_mlp, gmm)}


# ---- the harness -------------------------------------------------------------------------------------------------

def info():
    blas = "unknown"
    try:
        torch.ones(64, 64, dtype=DTYPE) @ torch.ones(64, 64, dtype=DTYPE)  # load the BLAS library
        with open("/proc/self/maps", encoding="utf-8") as maps:
            libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and ".so" in line})
        if libs:
            blas = ", ".join(sorted({os.path.basename(os.path.realpath(lib)) for lib in libs}))
    except OSError:
        pass
    package = ""
    if torch.__file__.startswith("/usr/lib/python3/dist-packages/"):
        try:
            import subprocess
            package = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Version}", "python3-torch"],
                                     capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            pass
    return {
        "torch": torch.__version__,
        "package": package,
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "blas": blas,
        "cpuCapability": next((line.split(":", 1)[1].strip() for line in torch.__config__.show().splitlines()
                               if "CPU capability usage" in line), ""),
    }


def load_case(folder, case):
    point = np.fromfile(os.path.join(folder, case["point"]), dtype="<f8")
    params = {}
    offset = 0
    for spec in case["parameters"]:
        shape = tuple(spec["shape"])
        size = int(np.prod(shape)) if shape else 1
        values = point[offset:offset + size].reshape(shape)
        params[spec["name"]] = torch.tensor(values, dtype=DTYPE, requires_grad=True)
        offset += size
    if offset != point.size:
        raise ValueError(f"{case['problem']}, {case['size']}: the parameters take {offset} values, the point has {point.size}")
    data = {}
    for name, spec in case.get("data", {}).items():
        raw = np.fromfile(os.path.join(folder, spec["file"]), dtype="<f8" if spec["dtype"] == "float64" else "<i4")
        raw = raw.reshape(tuple(spec["shape"]))
        data[name] = torch.from_numpy(raw) if spec["dtype"] == "float64" else torch.from_numpy(raw.astype(np.int64))
    return params, data, case.get("scalars", {})


def make_step(case, folder):
    model = MODELS[case["model"]]
    params, data, scalars = load_case(folder, case)
    leaves = list(params.values())

    def step():
        for leaf in leaves:
            leaf.grad = None
        loss = model(params, data, scalars)
        loss.backward()
        return loss

    return step, leaves


def evaluate(manifest, folder):
    results = []
    for case in manifest["cases"]:
        result = {"id": case["id"]}
        try:
            step, leaves = make_step(case, folder)
            loss = step()
            gradient = np.concatenate([leaf.grad.detach().numpy().reshape(-1) for leaf in leaves])
            file = f"{case['id']}_torch_gradient.f64"
            gradient.astype("<f8").tofile(os.path.join(folder, file))
            result.update(value=float(loss.item()), gradient=file)
        except Exception as e:  # reported per case, the C# side decides
            result["error"] = f"{type(e).__name__}: {e}"
        results.append(result)
    return results


def time_cases(manifest, folder):
    results = []
    min_run_time = float(manifest["minRunTime"])
    for case in manifest["cases"]:
        result = {"id": case["id"]}
        try:
            step, _ = make_step(case, folder)
            timer = benchmark.Timer(stmt="step()", globals={"step": step}, num_threads=1,
                                    label=case["problem"], sub_label=case["size"])
            measurement = timer.blocked_autorange(min_run_time=min_run_time)
            result.update(seconds=measurement.median, blocks=len(measurement.times),
                          callsPerBlock=measurement.number_per_run)
        except Exception as e:
            result["error"] = f"{type(e).__name__}: {e}"
        print(f"  torch {case['problem']:<28} {case['size']:<28} "
              + (f"{result['seconds'] * 1e6:12.3f} us" if "seconds" in result else result["error"]), file=sys.stderr)
        results.append(result)
    return results


def main(argv):
    if len(argv) >= 2 and argv[1] == "probe":
        json.dump(info(), sys.stdout)
        return 0
    if len(argv) != 4 or argv[1] not in ("evaluate", "time"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8") as f:
        manifest = json.load(f)
    folder = os.path.dirname(os.path.abspath(argv[2]))
    results = evaluate(manifest, folder) if argv[1] == "evaluate" else time_cases(manifest, folder)
    with open(argv[3], "w", encoding="utf-8", newline="\n") as f:
        json.dump({"info": info(), "cases": results}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

// Prints the Moré–Garbow–Hillstrom tables for docs/minimize.md ("minimize") and docs/least-squares.md ("least-squares"):
//   dotnet run -c Release --project bench/SymbolicGrad.MghReport -- minimize
// Deterministic: every run prints the same numbers (no timing is printed).
using System.Globalization;
using SymbolicGrad;
using SymbolicGrad.Optimizers;
using SymbolicGrad.TestProblems;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string which = args.Length > 0 ? args[0] : "minimize";
var lmder = Csv("minpack_lmder.csv").ToDictionary(r => int.Parse(r[0], CultureInfo.InvariantCulture));
var scipy = Csv("scipy_lbfgsb.csv").ToDictionary(r => int.Parse(r[0], CultureInfo.InvariantCulture));

if (which == "minimize")
{
    // Every column runs on the generator's output: the objectives are [Differentiable(Hessian = true)] methods, so Newton and
    // Newton-CG use generated Hessian-vector products; the differences column hides them to show what they save.
    Console.WriteLine("| # | problem | n | m | published f* | L-BFGS f | it / evals | Newton (exact) f | it | Newton-CG (exact HVP) f | it / HVPs | Newton-CG (differences) f | it / gradients | SciPy L-BFGS-B defaults f |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    foreach (var p in Mgh.All)
    {
        var lbfgs = p.GeneratedObjective().Minimize(p.Start);
        var generated = p.GeneratedObjective();
        var newton = generated.Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.Newton });
        var cg = generated.Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.NewtonCg });
        var withoutHessian = new DifferentiableFunction(generated.Dimension, generated.AsValue(), generated.AsValueAndGradient(), generated.Name);
        var cgFd = withoutHessian.Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.NewtonCg });
        var s = scipy[p.Number];
        double scipyF = double.Parse(s[2], CultureInfo.InvariantCulture);
        Console.WriteLine(
            $"| {p.Number} | {p.Name} | {p.N} | {p.M} | {Published(p)} | {F(lbfgs)} | {lbfgs.Iterations} / {lbfgs.FunctionEvaluations} | {F(newton)} | {newton.Iterations} | " +
            $"{F(cg)} | {cg.Iterations} / {cg.HessianEvaluations} | {F(cgFd)} | {cgFd.Iterations} / {cgFd.GradientEvaluations} | {G(scipyF)}{(Reached(p, scipyF) ? string.Empty : " ✗")} |");
    }
}
else
{
    // The residuals are the natural vector-valued methods of MghResiduals; their Jacobians are the generator's (NameLeastSquares).
    Console.WriteLine("| # | problem | n | m | published f* | f here | f lmder | residuals here / lmder | Jacobians here / lmder | status here |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
    foreach (var p in Mgh.All)
    {
        var result = new LevenbergMarquardt().Minimize(p.GeneratedLeastSquares(), p.Start);
        var r = lmder[p.Number];
        int njev = int.Parse(r[8], CultureInfo.InvariantCulture);
        string jac = result.JacobianEvaluations > njev ? $"**{result.JacobianEvaluations}** / {njev}" : $"{result.JacobianEvaluations} / {njev}";
        Console.WriteLine(
            $"| {p.Number} | {p.Name} | {p.N} | {p.M} | {Published(p)} | {G(result.SumOfSquares)} | {G(double.Parse(r[5], CultureInfo.InvariantCulture))} | " +
            $"{result.Evaluations} / {r[7]} | {jac} | {result.Status} |");
    }
}

static string F(MinimizeResult r) => G(r.Value) + (r.Success ? string.Empty : " (" + r.Status + ")");

static string G(double v) =>
    v == 0 ? "0"
    : Math.Abs(v) < 1e-10 ? v.ToString("0.0e+00", CultureInfo.InvariantCulture)
    : Math.Abs(v) < 1e-3 ? v.ToString("0.#####e+00", CultureInfo.InvariantCulture)
    : v.ToString("G6", CultureInfo.InvariantCulture);

static string Published(MghProblem p) =>
    string.Join(", ", new[] { p.Minimum }.Concat(p.OtherMinima).Select(m => G(m.Value) + (m == p.Minimum ? string.Empty : " (local)")));

static bool Reached(MghProblem p, double f) =>
    new[] { p.Minimum }.Concat(p.OtherMinima).Any(m => m.Value == 0 ? Math.Abs(f) <= 1e-10 : Math.Abs(f - m.Value) <= 5e-6 * m.Value)
    || (p.Number == 26 && Math.Abs(f - 2.79506e-5) <= 5e-6 * 2.79506e-5);

static IEnumerable<string[]> Csv(string name) =>
    File.ReadLines(Path.Combine(AppContext.BaseDirectory, name)).Where(l => !l.StartsWith('#')).Skip(1).Select(SplitCsv);

static string[] SplitCsv(string line)
{
    var fields = new List<string>();
    var current = new System.Text.StringBuilder();
    bool quoted = false;
    foreach (char c in line)
    {
        if (c == '"')
        {
            quoted = !quoted;
        }
        else if (c == ',' && !quoted)
        {
            fields.Add(current.ToString());
            current.Clear();
        }
        else
        {
            current.Append(c);
        }
    }

    fields.Add(current.ToString());
    return fields.ToArray();
}

using System.Globalization;
using System.Text;
using BenchmarkDotNet.Running;

namespace SymbolicGrad.Benchmarks.SecondOrder;

/// <summary>The second-order section of docs/benchmarks.md: verify, then time the three benchmark classes in one run.</summary>
public static class SecondOrderReport
{
    /// <summary>
    /// Generated Hessian-vector products against a Richardson-extrapolated difference of the generated gradient; the
    /// Hessian symmetric and consistent with the products; the bundle-adjustment Jacobian against centered differences;
    /// both solvers reaching Rosenbrock's minimum; Levenberg–Marquardt fitting the bundle to the noise level.
    /// </summary>
    public static bool Verify(TextWriter output)
    {
        bool passed = true;
        foreach (string name in SecondOrderCase.All)
        {
            var c = SecondOrderCase.Create(name);
            var f = c.Function;
            int n = f.Dimension;
            var hv = new double[n];
            f.HessianVectorProduct(c.Point, c.Direction, hv);
            double[] Difference(double h)
            {
                var up = new double[n];
                var down = new double[n];
                f.ValueAndGradient(c.Point.Zip(c.Direction, (a, b) => a + (h * b)).ToArray(), up);
                f.ValueAndGradient(c.Point.Zip(c.Direction, (a, b) => a - (h * b)).ToArray(), down);
                return up.Zip(down, (a, b) => (a - b) / (2 * h)).ToArray();
            }

            var coarse = Difference(1e-3);
            var fine = Difference(5e-4);
            var numeric = fine.Zip(coarse, (a, b) => ((4 * a) - b) / 3).ToArray();
            double scale = Math.Max(1, numeric.Max(Math.Abs));
            double error = hv.Zip(numeric, (a, b) => Math.Abs(a - b)).Max() / scale;
            var h = new double[n * n];
            f.Hessian(c.Point, h);
            double asymmetry = 0;
            double productError = 0;
            for (int i = 0; i < n; i++)
            {
                double row = 0;
                for (int j = 0; j < n; j++)
                {
                    asymmetry = Math.Max(asymmetry, Math.Abs(h[(i * n) + j] - h[(j * n) + i]));
                    row += h[(i * n) + j] * c.Direction[j];
                }

                productError = Math.Max(productError, Math.Abs(row - hv[i]) / scale);
            }

            bool ok = error < 1e-6 && asymmetry == 0 && productError < 1e-12;
            passed &= ok;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(ok ? "ok  " : "FAIL")} {"H·v, H: " + name,-34} {"n = " + n,-40} H·v vs differences {error:0.0e+00}, asymmetry {asymmetry:0.0e+00}, H·v vs H {productError:0.0e+00}"));
        }

        var rosenbrock = Generated.Objectives.ExtendedRosenbrockObjective(SolverBenchmarks.Dimension);
        foreach (string solver in SolverBenchmarks.Solvers)
        {
            var result = SolverBenchmarks.Solve(solver, rosenbrock, SolverBenchmarks.Start());
            bool ok = result.Success && result.Value < 1e-10;
            passed &= ok;
            output.WriteLine($"{(ok ? "ok  " : "FAIL")} {"ext. Rosenbrock N = 10,000: " + solver,-34} {result.Iterations + " iterations",-40} f = {result.Value.ToString("0.0e+00", CultureInfo.InvariantCulture)}, {result.Status}");
        }

        var ba = BundleAdjustmentProblem.Create();
        var check = GradientCheck.CheckJacobian(ba.Function, ba.Start, new GradientCheckOptions { RelativeTolerance = 1e-5, AbsoluteTolerance = 1e-5 });
        var fit = ba.Solve();
        double rms = Math.Sqrt(fit.SumOfSquares / ba.ResidualCount);
        bool baOk = check.Passed && fit.Success && rms < 0.6;
        passed &= baOk;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(baOk ? "ok  " : "FAIL")} {"bundle adjustment",-34} {$"n = {ba.Dimension}, m = {ba.ResidualCount}",-40} Jacobian check {(check.Passed ? "passed" : "FAILED")}, LM {fit.Status}, RMS reprojection error {rms:0.000} px (noise 0.5)"));
        return passed;
    }

    /// <summary>Times the second-order benchmarks (in this process, with <paramref name="config"/>) and returns the markdown section.</summary>
    public static string Run(BenchmarkDotNet.Configs.IConfig config)
    {
        var summaries = BenchmarkRunner.Run([typeof(SecondOrderBenchmarks), typeof(SolverBenchmarks), typeof(BundleAdjustmentBenchmarks)], config);
        var times = new Dictionary<(string Type, string Case, string Method), double>();
        foreach (var report in summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null))
        {
            var c = report.BenchmarkCase;
            string key = c.Parameters.Items.Count > 0 ? c.Parameters.Items[0].Value?.ToString() ?? string.Empty : string.Empty;
            times[(c.Descriptor.Type.Name, key, c.Descriptor.WorkloadMethod.Name)] = report.ResultStatistics!.Median;
        }

        return Markdown(times);
    }

    private static string Markdown(Dictionary<(string Type, string Case, string Method), double> times)
    {
        double? T(string type, string c, string method) => times.TryGetValue((type, c, method), out double t) ? t : null;
        string Time(double? ns) => ns is { } v ? Format.Time(v) : "n/a";
        string Ratio(double? a, double? b) => a is { } x && b is { } y ? Format.Ratio(x / y) : "n/a";
        var b = new StringBuilder();
        b.AppendLine("Generated second-order code (issue 14) from `[Differentiable(Hessian = true)]` sources in `Generated/Loops/`:");
        b.AppendLine("the Hessian-vector product is one forward-over-reverse sweep (`NameHessianVectorProduct`), the dense Hessian n of them");
        b.AppendLine("(`DifferentiableFunction.Hessian`). Times are medians of one call, through the `DifferentiableFunction` each optimizer sees.");
        b.AppendLine();
        b.AppendLine("| function | n | gradient | H·v | Hessian | H·v / gradient | Hessian / (n · H·v) |");
        b.AppendLine("|---|---|---|---|---|---|---|");
        var targets = new List<string>();
        foreach (string name in SecondOrderCase.All)
        {
            int n = SecondOrderCase.Create(name).Point.Length;
            double? g = T(nameof(SecondOrderBenchmarks), name, nameof(SecondOrderBenchmarks.Gradient));
            double? hv = T(nameof(SecondOrderBenchmarks), name, nameof(SecondOrderBenchmarks.HessianVectorProduct));
            double? h = T(nameof(SecondOrderBenchmarks), name, nameof(SecondOrderBenchmarks.Hessian));
            b.AppendLine($"| {name} | {n} | {Time(g)} | {Time(hv)} | {Time(h)} | {Ratio(hv, g)} | {(h is { } hh && hv is { } v ? Format.Ratio(hh / (n * v)) : "n/a")} |");
            if (hv is { } hvp && g is { } grad)
            {
                targets.Add($"| H·v / gradient ≤ 4: {name} | {Format.Ratio(hvp / grad)} | {(hvp / grad <= 4 ? "met" : "**missed**")} |");
            }

            if (h is { } hess && hv is { } hvp2)
            {
                targets.Add($"| Hessian ≤ n H·v: {name} | {Format.Ratio(hess / (n * hvp2))} × n H·v | {(hess <= n * hvp2 * 1.05 ? "met" : "**missed**")} |");
            }
        }

        b.AppendLine();
        b.AppendLine($"**Newton-CG against L-BFGS** on the extended Rosenbrock function (MGH 21), N = {SolverBenchmarks.Dimension:N0}, from its standard start (−1.2, 1, −1.2, 1, …), `Minimize` defaults:");
        b.AppendLine();
        b.AppendLine("| solver | iterations | gradients | H·v products | f | time |");
        b.AppendLine("|---|---|---|---|---|---|");
        var f = Generated.Objectives.ExtendedRosenbrockObjective(SolverBenchmarks.Dimension);
        foreach (string solver in SolverBenchmarks.Solvers)
        {
            var r = SolverBenchmarks.Solve(solver, f, SolverBenchmarks.Start());
            b.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {solver} | {r.Iterations} | {r.GradientEvaluations} | {r.HessianEvaluations} | {r.Value:0.0e+00} | {Time(T(nameof(SolverBenchmarks), solver, nameof(SolverBenchmarks.Minimize)))} |"));
        }

        double? lbfgs = T(nameof(SolverBenchmarks), "L-BFGS", nameof(SolverBenchmarks.Minimize));
        double? cg = T(nameof(SolverBenchmarks), "Newton-CG", nameof(SolverBenchmarks.Minimize));
        b.AppendLine();
        b.AppendLine($"Newton-CG / L-BFGS time: {Ratio(cg, lbfgs)}.");
        b.AppendLine();

        var ba = BundleAdjustmentProblem.Create();
        var fit = ba.Solve();
        b.AppendLine($"**Bundle adjustment** (synthetic, `SecondOrder/BundleAdjustment.cs`: {BundleAdjustmentProblem.Cameras} cameras with Rodrigues rotation and radial distortion, {BundleAdjustmentProblem.Points} points;");
        b.AppendLine($"n = {ba.Dimension}, m = {ba.ResidualCount}) solved by Levenberg–Marquardt on the generated Jacobian (`BundleResidualsLeastSquares`):");
        b.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{fit.Iterations} iterations, {fit.Evaluations} residual and {fit.JacobianEvaluations} Jacobian evaluations, RMS reprojection error {Math.Sqrt(fit.SumOfSquares / ba.ResidualCount):0.000} px (the noise is 0.5 px), {fit.Status}."));
        b.AppendLine();
        string Ba(string method) => Time(T(nameof(BundleAdjustmentBenchmarks), string.Empty, method));
        double? residuals = T(nameof(BundleAdjustmentBenchmarks), string.Empty, nameof(BundleAdjustmentBenchmarks.Residuals));
        double? jacobian = T(nameof(BundleAdjustmentBenchmarks), string.Empty, nameof(BundleAdjustmentBenchmarks.Jacobian));
        double? numericJ = T(nameof(BundleAdjustmentBenchmarks), string.Empty, nameof(BundleAdjustmentBenchmarks.NumericJacobian));
        b.AppendLine("| residuals | generated Jacobian | centered-difference Jacobian | Jacobian / residuals | numeric / generated | whole solve |");
        b.AppendLine("|---|---|---|---|---|---|");
        b.AppendLine($"| {Ba(nameof(BundleAdjustmentBenchmarks.Residuals))} | {Ba(nameof(BundleAdjustmentBenchmarks.Jacobian))} | {Ba(nameof(BundleAdjustmentBenchmarks.NumericJacobian))} | {Ratio(jacobian, residuals)} | {Ratio(numericJ, jacobian)} | {Ba(nameof(BundleAdjustmentBenchmarks.Solve))} |");
        b.AppendLine();
        b.AppendLine("The generated Jacobian is dense: one tangent sweep per column (n sweeps over all m residuals), which is what");
        b.AppendLine("Levenberg–Marquardt's dense QR consumes. Bundle adjustment's Jacobian is very sparse (each residual depends on 9 + 3 of");
        b.AppendLine("the parameters); a sparse Jacobian and a Schur-complement solver, as Ceres has, are not part of this project.");
        b.AppendLine();
        b.AppendLine("| target (issue 14) | measured | status |");
        b.AppendLine("|---|---|---|");
        foreach (string t in targets)
        {
            b.AppendLine(t);
        }

        return b.ToString();
    }
}

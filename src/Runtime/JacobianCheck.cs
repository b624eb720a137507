using System.Globalization;
using System.Text;

namespace SymbolicGrad;

/// <summary>One entry ∂rᵢ/∂xⱼ of a Jacobian check.</summary>
/// <param name="Row">i, the residual.</param>
/// <param name="Column">j, the parameter.</param>
/// <param name="ParameterName">The name of parameter j.</param>
/// <param name="Analytic">The Jacobian under test.</param>
/// <param name="Numeric">The centered difference.</param>
/// <param name="Tolerance">atol + rtol·|numeric|.</param>
public readonly record struct JacobianEntry(int Row, int Column, string ParameterName, double Analytic, double Numeric, double Tolerance)
{
    /// <summary>|analytic − numeric|.</summary>
    public double AbsoluteError => Math.Abs(Analytic - Numeric);

    /// <summary>|analytic − numeric| / max(|numeric|, tiny).</summary>
    public double RelativeError => AbsoluteError / Math.Max(Math.Abs(Numeric), double.Epsilon);

    /// <summary>The error as a fraction of the tolerance: at most 1 passes.</summary>
    public double ErrorRatio => AbsoluteError / Tolerance;

    /// <summary>True when both values are finite and the error is within the tolerance.</summary>
    public bool Passed => double.IsFinite(Analytic) && double.IsFinite(Numeric) && AbsoluteError <= Tolerance;

    /// <summary>"∂r[3]/∂x[1]".</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"∂r[{Row}]/∂{ParameterName}");
}

/// <summary>The outcome of a Jacobian check: every entry, the worst one (by row and column), and a printable table.</summary>
public sealed class JacobianCheckResult
{
    private const int PrintedRows = 20;

    internal JacobianCheckResult(
        string functionName, double[] point, double[] residuals, double[] residualsFromJacobian, JacobianEntry[] entries, int columns, GradientCheckOptions options)
    {
        FunctionName = functionName;
        Point = point;
        Residuals = residuals;
        ResidualsFromJacobian = residualsFromJacobian;
        Entries = entries;
        Options = options;
        ColumnCount = columns;
        RowCount = entries.Length / columns;
        int worst = 0;
        for (int k = 1; k < entries.Length; k++)
        {
            if (Badness(entries[k]) > Badness(entries[worst]))
            {
                worst = k;
            }
        }

        Worst = entries[worst];
        WorstResidualMismatch = -1;
        for (int i = 0; i < residuals.Length; i++)
        {
            if (!ResidualAgrees(i))
            {
                WorstResidualMismatch = i;
                break;
            }
        }
    }

    /// <summary>The checked function's display name.</summary>
    public string FunctionName { get; }

    /// <summary>The point of the check.</summary>
    public IReadOnlyList<double> Point { get; }

    /// <summary>r(x) from the residual function.</summary>
    public IReadOnlyList<double> Residuals { get; }

    /// <summary>r(x) as written by the Jacobian function; it must agree with <see cref="Residuals"/>.</summary>
    public IReadOnlyList<double> ResidualsFromJacobian { get; }

    /// <summary>m, the number of residuals (rows).</summary>
    public int RowCount { get; }

    /// <summary>n, the number of parameters (columns).</summary>
    public int ColumnCount { get; }

    /// <summary>Every entry, row-major: entry (i, j) is at i·n + j.</summary>
    public IReadOnlyList<JacobianEntry> Entries { get; }

    /// <summary>The options used.</summary>
    public GradientCheckOptions Options { get; }

    /// <summary>The entry with the largest error relative to its tolerance (a non-finite one first).</summary>
    public JacobianEntry Worst { get; }

    /// <summary>The first residual on which the two evaluations disagree, or −1.</summary>
    public int WorstResidualMismatch { get; }

    /// <summary>True when the residual function and the Jacobian function write the same residuals.</summary>
    public bool ResidualsAgree => WorstResidualMismatch < 0;

    /// <summary>True when the residuals agree and every entry passes.</summary>
    public bool Passed => ResidualsAgree && Entries.All(e => e.Passed);

    /// <summary>The entry (i, j).</summary>
    public JacobianEntry this[int row, int column] => Entries[(row * ColumnCount) + column];

    /// <summary>Throws <see cref="JacobianCheckException"/> with the table when the check failed.</summary>
    public JacobianCheckResult ThrowIfFailed() => Passed ? this : throw new JacobianCheckException(this);

    /// <summary>Why the worst entry has no error to compare (a NaN or infinite value or derivative), or null.</summary>
    private string? NotFiniteReason()
    {
        var w = Worst;
        if (double.IsFinite(w.Analytic) && double.IsFinite(w.Numeric))
        {
            return null;
        }

        var inv = CultureInfo.InvariantCulture;
        if (!double.IsFinite(Residuals[w.Row]))
        {
            return string.Create(inv, $"r[{w.Row}](x) is {Residuals[w.Row]}: derivatives can only be checked where the function is finite (is x outside its domain?)");
        }

        return !double.IsFinite(w.Numeric)
            ? string.Create(inv, $"the numeric {w.Label} is {w.Numeric}: r[{w.Row}] is not finite at a point x ± h·e the differences evaluate (x is near the edge of its domain: check farther from it, or with a smaller StepScale)")
            : string.Create(inv, $"the analytic {w.Label} is {w.Analytic} where r[{w.Row}] is finite: a derivative that does not exist at x (such as that of √ or |·| at 0)");
    }

    /// <summary>A summary line, then the worst entries (failures first), one row each.</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var w = Worst;
        int failures = Entries.Count(e => !e.Passed);
        sb.Append(inv, $"Jacobian check of {FunctionName} ({RowCount} × {ColumnCount}): {(Passed ? "passed" : "FAILED")}");
        sb.Append(inv, $" (worst: {w.Label} at row {w.Row}, column {w.Column}, |error| {w.AbsoluteError:0.0e+00} vs tolerance {w.Tolerance:0.0e+00}");
        sb.Append(Options.Richardson ? ", Richardson" : string.Empty);
        sb.Append(inv, $"; {failures} of {Entries.Count} entries fail)\n");
        if (!ResidualsAgree)
        {
            int i = WorstResidualMismatch;
            sb.Append(inv, $"residual mismatch: r[{i}] = {Residuals[i]:R} from the residual function but {ResidualsFromJacobian[i]:R} from the Jacobian function\n");
        }

        if (NotFiniteReason() is { } reason)
        {
            sb.Append(reason).Append('\n');
        }

        var shown = Entries.OrderByDescending(Badness).ThenBy(e => e.Row).ThenBy(e => e.Column).Take(PrintedRows).ToArray();
        int nameWidth = Math.Max(9, shown.Max(e => e.ParameterName.Length));
        string header = string.Format(inv, "{0,5}  {1}  {2,24}  {3,24}  {4,9}  {5,9}  {6}",
            "row", "parameter".PadRight(nameWidth), "analytic", "numeric", "abs err", "rel err", "ok");
        sb.Append(header).Append('\n');
        sb.Append(new string('-', header.Length)).Append('\n');
        foreach (var e in shown)
        {
            sb.Append(string.Format(inv, "{0,5}  {1}  {2,24:R}  {3,24:R}  {4,9:0.0e+00}  {5,9:0.0e+00}  {6}",
                e.Row, e.ParameterName.PadRight(nameWidth), e.Analytic, e.Numeric, e.AbsoluteError, e.RelativeError, e.Passed ? "ok" : "FAIL"));
            sb.Append('\n');
        }

        if (Entries.Count > shown.Length)
        {
            sb.Append(inv, $"… {Entries.Count - shown.Length} more entries, none worse than the last row\n");
        }

        return sb.ToString();
    }

    private bool ResidualAgrees(int i)
    {
        double a = Residuals[i], b = ResidualsFromJacobian[i];
        return a.Equals(b) || Math.Abs(a - b) <= Options.AbsoluteTolerance + (Options.RelativeTolerance * Math.Abs(a));
    }

    private static double Badness(JacobianEntry e) =>
        double.IsFinite(e.Analytic) && double.IsFinite(e.Numeric) ? e.ErrorRatio : double.PositiveInfinity;
}

/// <summary>Thrown by <see cref="JacobianCheckResult.ThrowIfFailed"/>; the message holds the table.</summary>
public sealed class JacobianCheckException : Exception
{
    /// <summary>Creates the exception for a failed result.</summary>
    public JacobianCheckException(JacobianCheckResult result)
        : base(result.ToString()) => Result = result;

    /// <summary>The failed check.</summary>
    public JacobianCheckResult Result { get; }
}

public static partial class GradientCheck
{
    /// <summary>
    /// Checks the Jacobian of <paramref name="function"/> at <paramref name="x"/> against centered differences of its
    /// residuals, one column at a time (2n residual evaluations, 4n with <see cref="GradientCheckOptions.Richardson"/>).
    /// Entry (i, j) passes when |analytic − numeric| ≤ atol + rtol·|numeric|; the worst entry is named by row and column.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong length, is empty, or holds NaN or an infinity.</exception>
    public static JacobianCheckResult CheckJacobian(LeastSquaresFunction function, ReadOnlySpan<double> x, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (x.Length != function.Dimension)
        {
            throw new ArgumentException($"{function.Name} takes {function.Dimension} parameters but x has length {x.Length}.", nameof(x));
        }

        NumericGradient.ValidatePoint(x, nameof(x));
        options ??= GradientCheckOptions.Default;
        if (!(options.AbsoluteTolerance >= 0) || !(options.RelativeTolerance >= 0) || double.IsInfinity(options.AbsoluteTolerance) || double.IsInfinity(options.RelativeTolerance))
        {
            // An infinite tolerance passes every gradient, however wrong.
            throw new ArgumentOutOfRangeException(nameof(options), string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Tolerances must be finite non-negative numbers; got AbsoluteTolerance {options.AbsoluteTolerance}, RelativeTolerance {options.RelativeTolerance}."));
        }

        if (!(options.StepScale > 0) || double.IsInfinity(options.StepScale))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StepScale, "StepScale must be a positive finite number.");
        }

        int n = function.Dimension;
        int m = function.ResidualCount;
        var residuals = new double[m];
        function.Residuals(x, residuals);
        var fromJacobian = new double[m];
        var analytic = new double[m * n];
        function.Jacobian(x, fromJacobian, analytic);

        var numeric = new double[m * n];
        var work = x.ToArray();
        var plus = new double[m];
        var minus = new double[m];
        var column = new double[m];
        var half = new double[m];
        var numericOptions = options.NumericOptions;
        for (int j = 0; j < n; j++)
        {
            double h = NumericGradient.Step(x[j], numericOptions);
            CenteredColumn(function, work, j, h, plus, minus, column);
            if (options.Richardson)
            {
                CenteredColumn(function, work, j, h / 2, plus, minus, half);
                for (int i = 0; i < m; i++)
                {
                    column[i] = ((4 * half[i]) - column[i]) / 3;
                }
            }

            for (int i = 0; i < m; i++)
            {
                numeric[(i * n) + j] = column[i];
            }
        }

        var entries = new JacobianEntry[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int k = (i * n) + j;
                double tolerance = options.AbsoluteTolerance + (options.RelativeTolerance * Math.Abs(numeric[k]));
                entries[k] = new JacobianEntry(i, j, function.ParameterNames[j], analytic[k], numeric[k], tolerance);
            }
        }

        return new JacobianCheckResult(function.Name, x.ToArray(), residuals, fromJacobian, entries, n, options);
    }

    /// <summary>
    /// Checks the exact Hessian of <paramref name="function"/> (its <see cref="DifferentiableFunction.Hessian"/>, from the
    /// generated Hessian-vector products) at <paramref name="x"/> against centered differences of its gradient, one column
    /// at a time: the Hessian is the Jacobian of the gradient, so the result is a Jacobian check in which row i is
    /// ∂f/∂xᵢ (shown as r[i]). The worst entry is named by row and column. Without <paramref name="options"/> it uses
    /// <see cref="GradientCheckOptions.For"/>, as <see cref="Check(DifferentiableFunction, ReadOnlySpan{double}, GradientCheckOptions?)"/>
    /// does: the float step and tolerances for a function computed in float.
    /// </summary>
    /// <exception cref="NotSupportedException"><see cref="DifferentiableFunction.HasHessian"/> is false.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong length, is empty, or holds NaN or an infinity.</exception>
    public static JacobianCheckResult CheckHessian(DifferentiableFunction function, ReadOnlySpan<double> x, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (!function.HasHessian)
        {
            // The same message as calling Hessian would give.
            function.HessianVectorProduct(new double[function.Dimension], new double[function.Dimension], new double[function.Dimension]);
        }

        var gradient = new LeastSquaresFunction(
            function.Dimension,
            function.Dimension,
            (p, g) => function.ValueAndGradient(p, g),
            (p, g, h) =>
            {
                function.ValueAndGradient(p, g);
                function.Hessian(p, h);
            },
            "∇" + function.Name,
            function.ParameterNames);
        // The gradient of a float method is as noisy as its value: the double step would measure rounding, not H.
        return CheckJacobian(gradient, x, options ?? GradientCheckOptions.For(function));
    }

    private static void CenteredColumn(LeastSquaresFunction function, double[] work, int j, double h, double[] plus, double[] minus, double[] column)
    {
        double original = work[j];
        double up = original + h;
        double down = original - h;
        work[j] = up;
        function.Residuals(work, plus);
        work[j] = down;
        function.Residuals(work, minus);
        work[j] = original;
        // Divide by the step the floating-point numbers really took, not by the nominal 2h.
        for (int i = 0; i < column.Length; i++)
        {
            column[i] = (plus[i] - minus[i]) / (up - down);
        }
    }
}

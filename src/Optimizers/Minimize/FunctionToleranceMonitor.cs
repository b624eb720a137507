using System.Globalization;

namespace SymbolicGrad.Optimizers;

/// <summary>
/// The ftol test, confirmed so that a slow stretch is not reported as convergence. SciPy's test stops as soon as one
/// iteration reduces f by at most ftol relatively; on badly scaled problems that happens far from any minimum (on Meyer's
/// function L-BFGS crawls at relative reductions of 10⁻¹³ around f = 1.1·10⁵ before it speeds up toward 87.9, and on
/// Wood's it crawls past a saddle at f = 7.88). Here such an iteration only opens a window of <see cref="Window"/>
/// iterations: if f then falls by more than ftol per iteration on average, or falls faster in the second half of the
/// window than in the first (a crawl that is speeding up, as when leaving a saddle), the run goes on. Convergence is
/// declared when the window closes without either, or when no further decrease is possible inside it (floating point
/// has been reached).
/// </summary>
internal sealed class FunctionToleranceMonitor(double ftol, int window)
{
    private const double Epsilon = 2.220446049250313e-16;
    private readonly List<double> _values = [];
    private bool _verifying;
    private int _start;
    private double _fStart;

    /// <summary>The iterations a suspected convergence is watched for.</summary>
    public int Window { get; } = window;

    /// <summary>True while a suspected convergence is being watched.</summary>
    public bool Verifying => _verifying;

    /// <summary>After an iteration that took f from <paramref name="fOld"/> to <paramref name="f"/>: the message of a confirmed convergence, or null.</summary>
    public string? Update(int iteration, double fOld, double f)
    {
        if (_verifying)
        {
            _values.Add(f);
            double total = Relative(_fStart - f, _fStart, f);
            int span = iteration - _start;
            if (total > ftol * span)
            {
                _verifying = false; // a slow stretch, not a minimum: carry on
            }
            else if (span >= Window)
            {
                double middle = _values[(_values.Count - 1) / 2];
                double first = _fStart - middle, second = middle - f;
                if (second > first + (10 * Epsilon * Math.Abs(f)))
                {
                    _verifying = false; // speeding up: leaving a flat stretch, not converging
                    return null;
                }

                return string.Create(CultureInfo.InvariantCulture,
                    $"f fell by {total:0.0#e+00} relatively over the last {span} iterations, at most ftol {ftol:0.0#e+00} per iteration, and ever more slowly");
            }

            return null;
        }

        if (Relative(fOld - f, fOld, f) <= ftol)
        {
            // The window starts before the iteration that opened it.
            _verifying = true;
            _start = iteration - 1;
            _fStart = fOld;
            _values.Clear();
            _values.Add(fOld);
            _values.Add(f);
        }

        return null;
    }

    /// <summary>Watches a new window from <paramref name="iteration"/> (the solver changed its model there).</summary>
    public void Reopen(int iteration, double f)
    {
        _verifying = true;
        _start = iteration;
        _fStart = f;
        _values.Clear();
        _values.Add(f);
    }

    /// <summary>The message when no further decrease is possible while a convergence is being watched.</summary>
    public string PrecisionLimit(int iteration, double f) => string.Create(CultureInfo.InvariantCulture,
        $"f fell by {Relative(_fStart - f, _fStart, f):0.0#e+00} relatively over the last {iteration - _start} iterations (ftol {ftol:0.0#e+00} per iteration) and cannot be decreased further in floating point");

    private static double Relative(double reduction, double a, double b)
    {
        double scale = Math.Max(Math.Abs(a), Math.Abs(b));
        return scale > 0 ? reduction / scale : 0;
    }
}

using System.Diagnostics;

namespace SymbolicGrad.Optimizers;

/// <summary>The step-length rule of <see cref="Lbfgs"/>.</summary>
public enum LineSearch
{
    /// <summary>A fixed step of the learning rate (PyTorch's default, <c>line_search_fn=None</c>).</summary>
    None,

    /// <summary>A line search satisfying the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9), PyTorch's <c>"strong_wolfe"</c>.</summary>
    StrongWolfe,
}

/// <summary>
/// Limited-memory BFGS, a port of PyTorch's <c>torch.optim.LBFGS</c> (itself after minFunc): the same two-loop recursion,
/// the same curvature test (yᵀs &gt; 1e-10), the same initial step min(1, 1/‖g‖₁)·lr, the same strong-Wolfe line search
/// with cubic interpolation, and the same stopping rules.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Step"/> is PyTorch's <c>step(closure)</c>: it runs up to <see cref="MaxIterations"/> iterations (or
/// <see cref="MaxEvaluations"/> evaluations), keeps its history for the next call, and returns the loss at the point it
/// started from. <see cref="Minimize(DifferentiableFunction, ReadOnlySpan{double})"/> runs one such step from a fresh state and reports why it stopped.
/// </para>
/// <para>
/// Stopping rules (PyTorch's): max|g| ≤ toleranceGrad; gᵀd &gt; −toleranceChange; max|t·d| ≤ toleranceChange;
/// |f − f_prev| &lt; toleranceChange; the iteration and evaluation budgets. The defaults (1e-7, 1e-9) stop around
/// ‖x − x*‖ ≈ 1e-5 on badly scaled problems; lower them for tighter solutions.
/// </para>
/// <para>
/// The strong-Wolfe search stops refining its bracket when |bracket|·max|d| &lt; 1e-9, as PyTorch's does: PyTorch never
/// passes the optimizer's tolerance_change to it. <see cref="LearningRate"/> may be changed between steps, and
/// <see cref="SaveState"/> / <see cref="RestoreState"/> capture the history so that a restored optimizer continues bit for bit.
/// </para>
/// <para>
/// One deliberate difference: a non-finite value met during the line search is treated as +∞ (so the search backs off),
/// where PyTorch would propagate NaN; and <see cref="Minimize(DifferentiableFunction, ReadOnlySpan{double})"/> reports <see cref="StopReason.Diverged"/> with the last
/// finite point if the loss still becomes non-finite.
/// </para>
/// </remarks>
public sealed class Lbfgs
{
    private double[]? _d;
    private double _t;
    private double[][] _oldDirs = [];
    private double[][] _oldSteps = [];
    private double[] _ro = [];
    private double[] _al = [];
    private int _historyStart;
    private int _historyCount;
    private double _hDiag = 1;
    private double[]? _prevFlatGrad;
    private double _prevLoss;
    private int _dimension;
    private double _learningRate;

    /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
    /// <param name="learningRate">lr &gt; 0: the fixed step, or the first trial step of the line search.</param>
    /// <param name="maxIterations">Iterations per <see cref="Step"/> (PyTorch's max_iter).</param>
    /// <param name="maxEvaluations">Function evaluations per <see cref="Step"/>; default maxIterations·5/4.</param>
    /// <param name="toleranceGrad">Stop when max|g| ≤ this.</param>
    /// <param name="toleranceChange">Stop when the loss or the step changes by less than this.</param>
    /// <param name="historySize">Pairs (s, y) kept.</param>
    /// <param name="lineSearch">The step-length rule.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range (the exception names it).</exception>
    public Lbfgs(
        double learningRate = 1,
        int maxIterations = 20,
        int? maxEvaluations = null,
        double toleranceGrad = 1e-7,
        double toleranceChange = 1e-9,
        int historySize = 100,
        LineSearch lineSearch = LineSearch.None)
    {
        _learningRate = Guard.Positive(learningRate, nameof(learningRate));
        MaxIterations = Guard.AtLeast(maxIterations, 1, nameof(maxIterations));
        MaxEvaluations = maxEvaluations is int e ? Guard.AtLeast(e, 1, nameof(maxEvaluations)) : (int)Math.Min(int.MaxValue, maxIterations * 5L / 4);
        ToleranceGrad = Guard.NonNegative(toleranceGrad, nameof(toleranceGrad));
        ToleranceChange = Guard.NonNegative(toleranceChange, nameof(toleranceChange));
        HistorySize = Guard.AtLeast(historySize, 1, nameof(historySize));
        if (!Enum.IsDefined(lineSearch))
        {
            throw new ArgumentOutOfRangeException(nameof(lineSearch), lineSearch, "Unknown line search.");
        }

        LineSearch = lineSearch;
    }

    /// <summary>
    /// lr: the fixed step, or the first trial step of the line search. It may be changed between calls to
    /// <see cref="Step"/> (PyTorch reads <c>group["lr"]</c> at every step).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a finite number &gt; 0.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = Guard.Positive(value, nameof(LearningRate));
    }

    /// <summary>max_iter.</summary>
    public int MaxIterations { get; }

    /// <summary>max_eval.</summary>
    public int MaxEvaluations { get; }

    /// <summary>tolerance_grad.</summary>
    public double ToleranceGrad { get; }

    /// <summary>tolerance_change.</summary>
    public double ToleranceChange { get; }

    /// <summary>history_size.</summary>
    public int HistorySize { get; }

    /// <summary>line_search_fn.</summary>
    public LineSearch LineSearch { get; }

    /// <summary>Iterations made since construction or <see cref="Reset"/> (PyTorch's state n_iter).</summary>
    public long Iterations { get; private set; }

    /// <summary>Function-and-gradient evaluations since construction or <see cref="Reset"/> (PyTorch's state func_evals).</summary>
    public long Evaluations { get; private set; }

    /// <summary>Why the last <see cref="Step"/> returned.</summary>
    public StopReason LastStopReason { get; private set; }

    /// <summary>Forgets the history, the counters and the dimension.</summary>
    public void Reset()
    {
        _d = null;
        _prevFlatGrad = null;
        _oldDirs = [];
        _oldSteps = [];
        _ro = [];
        _al = [];
        _historyStart = _historyCount = 0;
        _hDiag = 1;
        _dimension = 0;
        Iterations = 0;
        Evaluations = 0;
    }

    /// <summary>
    /// PyTorch's <c>step(closure)</c>: improves <paramref name="parameters"/> in place with up to
    /// <see cref="MaxIterations"/> iterations and returns f at the starting point.
    /// </summary>
    /// <exception cref="ArgumentException">The parameters are empty or not finite, or their length differs from the previous call.</exception>
    public double Step(Span<double> parameters, ValueAndGradientFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (parameters.IsEmpty || !Trainer.AllFinite(parameters))
        {
            throw new ArgumentException("parameters must be non-empty and finite.", nameof(parameters));
        }

        return Run(parameters, function, null);
    }

    /// <summary>Minimizes <paramref name="function"/> from <paramref name="initialParameters"/> with one <see cref="Step"/> from a fresh state.</summary>
    public OptimizationResult Minimize(DifferentiableFunction function, ReadOnlySpan<double> initialParameters)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (initialParameters.Length != function.Dimension)
        {
            throw new ArgumentException(
                $"{function.Name} takes {function.Dimension} parameters but initialParameters has length {initialParameters.Length}.",
                nameof(initialParameters));
        }

        return Minimize(function.AsValueAndGradient(), initialParameters);
    }

    /// <summary>Minimizes <paramref name="function"/> from <paramref name="initialParameters"/> with one <see cref="Step"/> from a fresh state.</summary>
    public OptimizationResult Minimize(ValueAndGradientFunction function, ReadOnlySpan<double> initialParameters)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (initialParameters.IsEmpty || !Trainer.AllFinite(initialParameters))
        {
            throw new ArgumentException("initialParameters must be non-empty and finite.", nameof(initialParameters));
        }

        var clock = Stopwatch.StartNew();
        Reset();
        var x = initialParameters.ToArray();
        var history = new List<double>();
        Run(x, function, history);
        var reason = LastStopReason;
        var g = new double[x.Length];
        double loss = history.Count > 0 ? _prevLossAtEnd : double.NaN;
        if (!double.IsFinite(loss) || !Trainer.AllFinite(x))
        {
            reason = StopReason.Diverged;
            x = _lastFinite!;
            loss = _lastFiniteLoss;
        }

        return new OptimizationResult
        {
            Parameters = x,
            Loss = loss,
            LossHistory = history,
            StopReason = reason,
            Steps = Iterations,
            GradientEvaluations = Evaluations,
            WallTime = clock.Elapsed,
        };
    }

    /// <summary>
    /// Captures the history and counters (PyTorch's state: d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad,
    /// prev_loss, n_iter, func_evals) in the optimizer state format, named <c>Lbfgs</c>: the settings, the learning rate
    /// and the scalars by name, and the history pairs oldest first as buffers <c>old_dirs.k</c> and <c>old_stps.k</c>
    /// with scalars <c>ro.k</c>.
    /// </summary>
    /// <returns>A self-contained copy; later steps do not change it.</returns>
    public OptimizerState SaveState()
    {
        var builder = new OptimizerState.Builder(nameof(Lbfgs), _dimension, Iterations);
        VisitState(builder, Iterations, _historyCount);
        return builder.Build();
    }

    /// <summary>
    /// Replaces this optimizer's history and counters with <paramref name="state"/>, so that the next <see cref="Step"/>
    /// gives bit for bit what the saved optimizer's next step would have given.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The state is not an L-BFGS state, was saved with other settings (the message names the setting and both values),
    /// is for another dimension than this optimizer already uses, or lacks or adds entries. Nothing changes when it throws.
    /// </exception>
    public void RestoreState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.OptimizerName != nameof(Lbfgs))
        {
            throw new ArgumentException($"The state was saved by {state.OptimizerName} and cannot be restored into Lbfgs.", nameof(state));
        }

        if (_dimension != 0 && state.Dimension != 0 && state.Dimension != _dimension)
        {
            throw new ArgumentException(
                $"The state is for {state.Dimension} parameters but this Lbfgs is already used with {_dimension}.", nameof(state));
        }

        long iterations = state.StepCount;
        int count = state.Scalars.TryGetValue("history_count", out double c) && c >= 0 && c <= HistorySize && c == Math.Floor(c)
            ? (int)c
            : throw new ArgumentException(
                $"This Lbfgs state cannot be restored: its history_count is missing or not between 0 and the history size {HistorySize}.",
                nameof(state));
        if (!state.Scalars.TryGetValue("learning_rate", out double lr) || !(lr > 0) || double.IsInfinity(lr) ||
            !state.Scalars.TryGetValue("func_evals", out double evaluations) || !(evaluations >= 0) || evaluations != Math.Floor(evaluations))
        {
            throw new ArgumentException(
                "This Lbfgs state cannot be restored: its learning_rate or func_evals is missing or out of range.", nameof(state));
        }

        if (iterations > 0 && state.Dimension == 0)
        {
            throw new ArgumentException("This Lbfgs state cannot be restored: it has iterations but no dimension.", nameof(state));
        }

        var check = new OptimizerState.Reader(state, apply: false);
        VisitState(check, iterations, count);
        check.ThrowIfUnread();

        Reset();
        _dimension = state.Dimension;
        Iterations = iterations;
        if (iterations > 0)
        {
            int n = _dimension;
            _d = new double[n];
            _prevFlatGrad = new double[n];
            _oldDirs = new double[HistorySize][];
            _oldSteps = new double[HistorySize][];
            _ro = new double[HistorySize];
            _al = new double[HistorySize];
            for (int k = 0; k < count; k++)
            {
                _oldDirs[k] = new double[n];
                _oldSteps[k] = new double[n];
            }

            _historyStart = 0;
            _historyCount = count;
        }

        VisitState(new OptimizerState.Reader(state, apply: true), iterations, count);
    }

    /// <summary>Walks the state; history slot k (oldest first) is ring slot (start + k) mod size.</summary>
    private void VisitState(IStateVisitor visitor, long iterations, int historyCount)
    {
        visitor.Setting("max_iter", MaxIterations);
        visitor.Setting("max_eval", MaxEvaluations);
        visitor.Setting("tolerance_grad", ToleranceGrad);
        visitor.Setting("tolerance_change", ToleranceChange);
        visitor.Setting("history_size", HistorySize);
        visitor.Setting("line_search", (int)LineSearch);
        bool apply = visitor is OptimizerState.Reader { Applies: true };
        double lr = _learningRate, evaluations = Evaluations, count = historyCount;
        visitor.Scalar("learning_rate", ref lr);
        visitor.Scalar("func_evals", ref evaluations);
        visitor.Scalar("history_count", ref count);
        if (apply)
        {
            _learningRate = lr;
            Evaluations = (long)evaluations;
        }

        if (iterations == 0)
        {
            return;
        }

        visitor.Scalar("t", ref _t);
        visitor.Scalar("H_diag", ref _hDiag);
        visitor.Scalar("prev_loss", ref _prevLoss);
        visitor.Buffer("d", _d);
        visitor.Buffer("prev_flat_grad", _prevFlatGrad);
        for (int k = 0; k < historyCount; k++)
        {
            string index = k.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (visitor is OptimizerState.Reader)
            {
                // Restoring (or checking): the arrays were laid out oldest first.
                double ro = 0;
                visitor.Scalar("ro." + index, ref ro);
                visitor.Buffer("old_dirs." + index, apply ? _oldDirs[k] : null);
                visitor.Buffer("old_stps." + index, apply ? _oldSteps[k] : null);
                if (apply)
                {
                    _ro[k] = ro;
                }
            }
            else
            {
                int slot = (_historyStart + k) % HistorySize;
                visitor.Scalar("ro." + index, ref _ro[slot]);
                visitor.Buffer("old_dirs." + index, _oldDirs[slot]);
                visitor.Buffer("old_stps." + index, _oldSteps[slot]);
            }
        }
    }

    private double _prevLossAtEnd;
    private double[]? _lastFinite;
    private double _lastFiniteLoss;

    private double Run(Span<double> parameters, ValueAndGradientFunction function, List<double>? history)
    {
        int n = parameters.Length;
        if (n == 0)
        {
            throw new ArgumentException("parameters is empty.", nameof(parameters));
        }

        if (_dimension == 0)
        {
            _dimension = n;
        }
        else if (n != _dimension)
        {
            throw new ArgumentException(
                $"This L-BFGS was used with {_dimension} parameters but parameters has length {n}; call Reset() first.", nameof(parameters));
        }

        var flatGrad = new double[n];
        double origLoss = function(parameters, flatGrad);
        double loss = origLoss;
        int currentEvals = 1;
        Evaluations++;
        _lastFinite = parameters.ToArray();
        _lastFiniteLoss = loss;
        _prevLossAtEnd = loss;
        history?.Add(loss);

        if (MaxAbs(flatGrad) <= ToleranceGrad)
        {
            LastStopReason = StopReason.GradientTolerance;
            return origLoss;
        }

        if (!double.IsFinite(loss) || !Trainer.AllFinite(flatGrad))
        {
            LastStopReason = StopReason.Diverged;
            return origLoss;
        }

        var xInit = new double[n];
        int nIter = 0;
        StopReason reason = StopReason.MaxSteps;
        while (nIter < MaxIterations)
        {
            nIter++;
            Iterations++;

            if (Iterations == 1)
            {
                _d = new double[n];
                for (int i = 0; i < n; i++)
                {
                    _d[i] = -flatGrad[i];
                }

                _oldDirs = new double[HistorySize][];
                _oldSteps = new double[HistorySize][];
                _ro = new double[HistorySize];
                _al = new double[HistorySize];
                _historyStart = _historyCount = 0;
                _hDiag = 1;
            }
            else
            {
                UpdateHistoryAndDirection(flatGrad);
            }

            _prevFlatGrad ??= new double[n];
            Array.Copy(flatGrad, _prevFlatGrad, n);
            _prevLoss = loss;

            // Step length: min(1, 1/‖g‖₁)·lr at the very first iteration, lr afterwards.
            _t = Iterations == 1 ? Math.Min(1.0, 1.0 / SumAbs(flatGrad)) * LearningRate : LearningRate;

            double gtd = Dot(flatGrad, _d!);
            if (gtd > -ToleranceChange)
            {
                reason = _searchSawNonFinite ? StopReason.Diverged : StopReason.ChangeTolerance;
                break;
            }

            int lsEvals;
            bool optimal;
            if (LineSearch == LineSearch.StrongWolfe)
            {
                parameters.CopyTo(xInit);
                _searchSawNonFinite = false;
                (loss, _t, lsEvals) = StrongWolfe(function, xInit, _t, _d!, loss, flatGrad, gtd, parameters);
                // parameters = xInit + t·d
                for (int i = 0; i < n; i++)
                {
                    parameters[i] = xInit[i] + _t * _d![i];
                }

                optimal = MaxAbs(flatGrad) <= ToleranceGrad;
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    parameters[i] += _t * _d![i];
                }

                lsEvals = 0;
                optimal = false;
                if (nIter != MaxIterations)
                {
                    loss = function(parameters, flatGrad);
                    optimal = MaxAbs(flatGrad) <= ToleranceGrad;
                    lsEvals = 1;
                }
            }

            currentEvals += lsEvals;
            Evaluations += lsEvals;
            if (lsEvals > 0)
            {
                if (!double.IsFinite(loss) || !Trainer.AllFinite(flatGrad) || !Trainer.AllFinite(parameters))
                {
                    reason = StopReason.Diverged;
                    _prevLossAtEnd = loss;
                    break;
                }

                parameters.CopyTo(_lastFinite);
                _lastFiniteLoss = loss;
                _prevLossAtEnd = loss;
                history?.Add(loss);
            }

            if (nIter == MaxIterations)
            {
                reason = StopReason.MaxSteps;
                break;
            }

            if (currentEvals >= MaxEvaluations)
            {
                reason = StopReason.MaxEvaluations;
                break;
            }

            if (optimal)
            {
                reason = StopReason.GradientTolerance;
                break;
            }

            if (MaxAbsScaled(_d!, _t) <= ToleranceChange || Math.Abs(loss - _prevLoss) < ToleranceChange)
            {
                // A step shrunk to nothing because the function is NaN or infinite beyond it is not convergence; nor is a
                // strong-Wolfe search that lowered nothing while the gradient is not small (a learning rate of 1e12, or a
                // gradient that does not match the loss, stopped here "converged" at the start; red-team O). PyTorch stops
                // on the same iterate; only the reason differs.
                reason = _searchSawNonFinite ? StopReason.Diverged
                    : LineSearch == LineSearch.StrongWolfe && !(loss < _prevLoss) && MaxAbs(flatGrad) > Math.Sqrt(ToleranceChange) * Math.Max(1, Math.Abs(loss)) ? StopReason.LineSearchFailed
                    : StopReason.ChangeTolerance;
                break;
            }
        }

        if (LineSearch == LineSearch.None && nIter == MaxIterations)
        {
            // PyTorch does not re-evaluate after the last fixed step; the loss at the new point is unknown.
            _prevLossAtEnd = double.NaN;
            if (history is not null)
            {
                double final = function(parameters, flatGrad);
                Evaluations++;
                _prevLossAtEnd = final;
                if (double.IsFinite(final) && Trainer.AllFinite(parameters))
                {
                    parameters.CopyTo(_lastFinite);
                    _lastFiniteLoss = final;
                }
            }
        }

        LastStopReason = reason;
        return origLoss;
    }

    private void UpdateHistoryAndDirection(double[] flatGrad)
    {
        int n = flatGrad.Length;
        var d = _d!;
        var prev = _prevFlatGrad!;
        double ys = 0, yy = 0;
        for (int i = 0; i < n; i++)
        {
            double y = flatGrad[i] - prev[i];
            ys += y * (d[i] * _t);
        }

        if (ys > 1e-10)
        {
            int slot;
            if (_historyCount == HistorySize)
            {
                slot = _historyStart;
                _historyStart = (_historyStart + 1) % HistorySize;
            }
            else
            {
                slot = (_historyStart + _historyCount) % HistorySize;
                _historyCount++;
            }

            var yVec = _oldDirs[slot] ??= new double[n];
            var sVec = _oldSteps[slot] ??= new double[n];
            for (int i = 0; i < n; i++)
            {
                yVec[i] = flatGrad[i] - prev[i];
                sVec[i] = d[i] * _t;
                yy += yVec[i] * yVec[i];
            }

            _ro[slot] = 1.0 / ys;
            _hDiag = ys / yy;
        }

        // Two-loop recursion: d = −H·g with H built from the history and H_diag.
        for (int i = 0; i < n; i++)
        {
            d[i] = -flatGrad[i];
        }

        for (int k = _historyCount - 1; k >= 0; k--)
        {
            int slot = (_historyStart + k) % HistorySize;
            _al[k] = Dot(_oldSteps[slot], d) * _ro[slot];
            Axpy(-_al[k], _oldDirs[slot], d);
        }

        for (int i = 0; i < n; i++)
        {
            d[i] *= _hDiag;
        }

        for (int k = 0; k < _historyCount; k++)
        {
            int slot = (_historyStart + k) % HistorySize;
            double beta = Dot(_oldDirs[slot], d) * _ro[slot];
            Axpy(_al[k] - beta, _oldSteps[slot], d);
        }
    }

    /// <summary>PyTorch's <c>_strong_wolfe</c>. On return <paramref name="g"/> holds the gradient at the accepted point.</summary>
    private (double F, double T, int Evals) StrongWolfe(
        ValueAndGradientFunction function, double[] x, double t, double[] d, double f, double[] g, double gtd, Span<double> work)
    {
        // PyTorch calls _strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd) and so always runs it with its
        // defaults: c1 = 1e-4, c2 = 0.9, tolerance_change = 1e-9 and max_ls = 25, whatever the optimizer's tolerance_change.
        const double c1 = 1e-4, c2 = 0.9, tolChange = 1e-9;
        const int maxLs = 25;
        int n = x.Length;
        double dNorm = MaxAbs(d);
        var gInit = (double[])g.Clone();

        var gNew = new double[n];
        double fNew = Evaluate(function, x, t, d, gNew, work);
        int evals = 1;
        double gtdNew = Dot(gNew, d);
        if (!double.IsFinite(gtdNew))
        {
            gtdNew = double.PositiveInfinity;
        }

        double tPrev = 0, fPrev = f, gtdPrev = gtd;
        var gPrev = (double[])gInit.Clone();
        bool done = false;
        int lsIter = 0;
        double[] bracket = [], bracketF = [], bracketGtd = [];
        double[][] bracketG = [];
        while (lsIter < maxLs)
        {
            if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev))
            {
                bracket = [tPrev, t];
                bracketF = [fPrev, fNew];
                bracketG = [gPrev, (double[])gNew.Clone()];
                bracketGtd = [gtdPrev, gtdNew];
                break;
            }

            if (Math.Abs(gtdNew) <= -c2 * gtd)
            {
                bracket = [t];
                bracketF = [fNew];
                bracketG = [gNew];
                done = true;
                break;
            }

            if (gtdNew >= 0)
            {
                bracket = [tPrev, t];
                bracketF = [fPrev, fNew];
                bracketG = [gPrev, (double[])gNew.Clone()];
                bracketGtd = [gtdPrev, gtdNew];
                break;
            }

            // Extrapolate.
            double minStep = t + 0.01 * (t - tPrev);
            double maxStep = t * 10;
            double tmp = t;
            t = CubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);

            tPrev = tmp;
            fPrev = fNew;
            gPrev = (double[])gNew.Clone();
            gtdPrev = gtdNew;
            fNew = Evaluate(function, x, t, d, gNew, work);
            evals++;
            gtdNew = Dot(gNew, d);
            if (!double.IsFinite(gtdNew))
            {
                gtdNew = double.PositiveInfinity;
            }

            lsIter++;
        }

        if (lsIter == maxLs)
        {
            bracket = [0, t];
            bracketF = [f, fNew];
            bracketG = [gInit, gNew];
        }

        // Zoom.
        bool insufficientProgress = false;
        int lowPos = 0, highPos = 0;
        if (bracketF.Length == 2)
        {
            (lowPos, highPos) = bracketF[0] <= bracketF[^1] ? (0, 1) : (1, 0);
        }

        while (!done && lsIter < maxLs)
        {
            if (Math.Abs(bracket[1] - bracket[0]) * dNorm < tolChange)
            {
                break;
            }

            t = CubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1], null, null);

            double bMax = Math.Max(bracket[0], bracket[1]);
            double bMin = Math.Min(bracket[0], bracket[1]);
            double eps = 0.1 * (bMax - bMin);
            if (Math.Min(bMax - t, t - bMin) < eps)
            {
                if (insufficientProgress || t >= bMax || t <= bMin)
                {
                    t = Math.Abs(t - bMax) < Math.Abs(t - bMin) ? bMax - eps : bMin + eps;
                    insufficientProgress = false;
                }
                else
                {
                    insufficientProgress = true;
                }
            }
            else
            {
                insufficientProgress = false;
            }

            fNew = Evaluate(function, x, t, d, gNew, work);
            evals++;
            gtdNew = Dot(gNew, d);
            if (!double.IsFinite(gtdNew))
            {
                gtdNew = double.PositiveInfinity;
            }

            lsIter++;

            if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos])
            {
                bracket[highPos] = t;
                bracketF[highPos] = fNew;
                bracketG[highPos] = (double[])gNew.Clone();
                bracketGtd[highPos] = gtdNew;
                (lowPos, highPos) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0);
            }
            else
            {
                if (Math.Abs(gtdNew) <= -c2 * gtd)
                {
                    done = true;
                }
                else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0)
                {
                    bracket[highPos] = bracket[lowPos];
                    bracketF[highPos] = bracketF[lowPos];
                    bracketG[highPos] = bracketG[lowPos];
                    bracketGtd[highPos] = bracketGtd[lowPos];
                }

                bracket[lowPos] = t;
                bracketF[lowPos] = fNew;
                bracketG[lowPos] = (double[])gNew.Clone();
                bracketGtd[lowPos] = gtdNew;
            }
        }

        t = bracket[lowPos];
        Array.Copy(bracketG[lowPos], g, n);
        return (bracketF[lowPos], t, evals);
    }

    private double Evaluate(ValueAndGradientFunction function, double[] x, double t, double[] d, double[] g, Span<double> work)
    {
        for (int i = 0; i < x.Length; i++)
        {
            work[i] = x[i] + t * d[i];
        }

        double f = function(work, g);
        if (double.IsFinite(f))
        {
            return f;
        }

        // PyTorch's search goes on as if f were +∞ (it shrinks the step); the run remembers it, so that a stop on a step
        // shrunk to nothing against a NaN wall is not reported as convergence.
        _searchSawNonFinite = true;
        return double.PositiveInfinity;
    }

    /// <summary>The last strong-Wolfe search evaluated the function to a NaN or an infinity at one of its trial points.</summary>
    private bool _searchSawNonFinite;

    /// <summary>PyTorch's <c>_cubic_interpolate</c> (from minFunc's polyinterp): the minimizer of the cubic through two points with slopes, clamped to the bounds.</summary>
    private static double CubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, double? lower, double? upper)
    {
        double xMin = lower ?? (x1 <= x2 ? x1 : x2);
        double xMax = upper ?? (x1 <= x2 ? x2 : x1);
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0)
        {
            double d2 = Math.Sqrt(d2Square);
            double minPos = x1 <= x2
                ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return Math.Min(Math.Max(minPos, xMin), xMax);
        }

        return (xMin + xMax) / 2.0;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    private static void Axpy(double alpha, double[] x, double[] y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    private static double MaxAbs(ReadOnlySpan<double> v)
    {
        double m = 0;
        foreach (double x in v)
        {
            double a = Math.Abs(x);
            if (a > m || double.IsNaN(a))
            {
                m = a;
            }
        }

        return m;
    }

    private static double MaxAbsScaled(double[] v, double scale)
    {
        double m = 0;
        foreach (double x in v)
        {
            m = Math.Max(m, Math.Abs(x * scale));
        }

        return m;
    }

    private static double SumAbs(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (double x in v)
        {
            s += Math.Abs(x);
        }

        return s;
    }
}

namespace SymbolicGrad.Optimizers.Tests;

/// <summary>
/// PyTorch's <c>torch/optim/lbfgs.py</c> restated line by line on double arrays (lists for the history, as PyTorch
/// keeps them), for comparing <see cref="Lbfgs"/> against. As in PyTorch, <c>step</c> calls
/// <c>_strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd)</c>, so the line search always runs with its defaults
/// c1 = 1e-4, c2 = 0.9, tolerance_change = 1e-9, max_ls = 25, whatever the optimizer's tolerance_change.
/// <c>lineSearchTolerance</c> exists only to build the counterfactual (a search that used the optimizer's tolerance)
/// and show that a test can tell the two apart.
/// </summary>
internal sealed class TorchLbfgs(
    double lr = 1, int maxIter = 20, int? maxEval = null, double toleranceGrad = 1e-7, double toleranceChange = 1e-9,
    int historySize = 100, bool strongWolfe = false, double lineSearchTolerance = 1e-9)
{
    private readonly int _maxEval = maxEval ?? maxIter * 5 / 4;
    private double[]? _d, _prevFlatGrad;
    private double _t, _hDiag, _prevLoss;
    private List<double[]> _oldDirs = [], _oldStps = [];
    private List<double> _ro = [];
    private double[]? _al;

    public double Lr { get; set; } = lr;

    public int FuncEvals { get; private set; }

    public int NIter { get; private set; }

    public double Step(double[] x, ValueAndGradientFunction closure)
    {
        int n = x.Length;
        var flatGrad = new double[n];
        double origLoss = closure(x, flatGrad);
        double loss = origLoss;
        int currentEvals = 1;
        FuncEvals++;
        if (flatGrad.Max(Math.Abs) <= toleranceGrad)
        {
            return origLoss;
        }

        var d = _d;
        double t = _t;
        int nIter = 0;
        while (nIter < maxIter)
        {
            nIter++;
            NIter++;
            if (NIter == 1)
            {
                d = flatGrad.Select(v => -v).ToArray();
                _oldDirs = [];
                _oldStps = [];
                _ro = [];
                _hDiag = 1;
            }
            else
            {
                var y = flatGrad.Select((v, i) => v - _prevFlatGrad![i]).ToArray();
                var s = d!.Select(v => v * t).ToArray();
                double ys = Dot(y, s);
                if (ys > 1e-10)
                {
                    if (_oldDirs.Count == historySize)
                    {
                        _oldDirs.RemoveAt(0);
                        _oldStps.RemoveAt(0);
                        _ro.RemoveAt(0);
                    }

                    _oldDirs.Add(y);
                    _oldStps.Add(s);
                    _ro.Add(1.0 / ys);
                    _hDiag = ys / Dot(y, y);
                }

                int numOld = _oldDirs.Count;
                _al ??= new double[historySize];
                var q = flatGrad.Select(v => -v).ToArray();
                for (int i = numOld - 1; i >= 0; i--)
                {
                    _al[i] = Dot(_oldStps[i], q) * _ro[i];
                    for (int j = 0; j < n; j++)
                    {
                        q[j] += -_al[i] * _oldDirs[i][j];
                    }
                }

                var r = q.Select(v => v * _hDiag).ToArray();
                for (int i = 0; i < numOld; i++)
                {
                    double be = Dot(_oldDirs[i], r) * _ro[i];
                    for (int j = 0; j < n; j++)
                    {
                        r[j] += (_al[i] - be) * _oldStps[i][j];
                    }
                }

                d = r;
            }

            _prevFlatGrad = (double[])flatGrad.Clone();
            _prevLoss = loss;
            t = NIter == 1 ? Math.Min(1.0, 1.0 / flatGrad.Sum(Math.Abs)) * Lr : Lr;
            double gtd = Dot(flatGrad, d!);
            if (gtd > -toleranceChange)
            {
                break;
            }

            int lsFuncEvals = 0;
            bool optCond = false;
            if (strongWolfe)
            {
                var xInit = (double[])x.Clone();
                (loss, flatGrad, t, lsFuncEvals) = StrongWolfeSearch(closure, xInit, t, d!, loss, flatGrad, gtd, toleranceChange: lineSearchTolerance);
                for (int j = 0; j < n; j++)
                {
                    x[j] = xInit[j] + t * d![j];
                }

                optCond = flatGrad.Max(Math.Abs) <= toleranceGrad;
            }
            else
            {
                for (int j = 0; j < n; j++)
                {
                    x[j] += t * d![j];
                }

                if (nIter != maxIter)
                {
                    loss = closure(x, flatGrad);
                    optCond = flatGrad.Max(Math.Abs) <= toleranceGrad;
                    lsFuncEvals = 1;
                }
            }

            currentEvals += lsFuncEvals;
            FuncEvals += lsFuncEvals;
            if (nIter == maxIter || currentEvals >= _maxEval || optCond)
            {
                break;
            }

            if (d!.Max(v => Math.Abs(v * t)) <= toleranceChange || Math.Abs(loss - _prevLoss) < toleranceChange)
            {
                break;
            }
        }

        _d = d;
        _t = t;
        return origLoss;
    }

    private static (double F, double[] G, double T, int Evals) StrongWolfeSearch(
        ValueAndGradientFunction f0, double[] x, double t, double[] d, double f, double[] g, double gtd,
        double c1 = 1e-4, double c2 = 0.9, double toleranceChange = 1e-9, int maxLs = 25)
    {
        double dNorm = d.Max(Math.Abs);
        g = (double[])g.Clone();
        var (fNew, gNew) = Evaluate(f0, x, t, d);
        int lsFuncEvals = 1;
        double gtdNew = Dot(gNew, d);
        double tPrev = 0, fPrev = f, gtdPrev = gtd;
        double[] gPrev = g;
        bool done = false;
        int lsIter = 0;
        List<double> bracket = [], bracketF = [], bracketGtd = [];
        List<double[]> bracketG = [];
        while (lsIter < maxLs)
        {
            if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev))
            {
                (bracket, bracketF, bracketG, bracketGtd) = ([tPrev, t], [fPrev, fNew], [gPrev, (double[])gNew.Clone()], [gtdPrev, gtdNew]);
                break;
            }

            if (Math.Abs(gtdNew) <= -c2 * gtd)
            {
                (bracket, bracketF, bracketG) = ([t], [fNew], [gNew]);
                done = true;
                break;
            }

            if (gtdNew >= 0)
            {
                (bracket, bracketF, bracketG, bracketGtd) = ([tPrev, t], [fPrev, fNew], [gPrev, (double[])gNew.Clone()], [gtdPrev, gtdNew]);
                break;
            }

            double minStep = t + 0.01 * (t - tPrev), maxStep = t * 10, tmp = t;
            t = Cubic(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, (minStep, maxStep));
            tPrev = tmp;
            fPrev = fNew;
            gPrev = (double[])gNew.Clone();
            gtdPrev = gtdNew;
            (fNew, gNew) = Evaluate(f0, x, t, d);
            lsFuncEvals++;
            gtdNew = Dot(gNew, d);
            lsIter++;
        }

        if (lsIter == maxLs)
        {
            (bracket, bracketF, bracketG) = ([0, t], [f, fNew], [g, gNew]);
        }

        bool insufProgress = false;
        var (lowPos, highPos) = bracketF[0] <= bracketF[^1] ? (0, 1) : (1, 0);
        while (!done && lsIter < maxLs)
        {
            if (Math.Abs(bracket[1] - bracket[0]) * dNorm < toleranceChange)
            {
                break;
            }

            t = Cubic(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1], null);
            double bMax = bracket.Max(), bMin = bracket.Min();
            double eps = 0.1 * (bMax - bMin);
            if (Math.Min(bMax - t, t - bMin) < eps)
            {
                if (insufProgress || t >= bMax || t <= bMin)
                {
                    t = Math.Abs(t - bMax) < Math.Abs(t - bMin) ? bMax - eps : bMin + eps;
                    insufProgress = false;
                }
                else
                {
                    insufProgress = true;
                }
            }
            else
            {
                insufProgress = false;
            }

            (fNew, gNew) = Evaluate(f0, x, t, d);
            lsFuncEvals++;
            gtdNew = Dot(gNew, d);
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

        return (bracketF[lowPos], bracketG[lowPos], bracket[lowPos], lsFuncEvals);
    }

    private static (double F, double[] G) Evaluate(ValueAndGradientFunction f, double[] x, double t, double[] d)
    {
        var point = x.Select((v, i) => v + t * d[i]).ToArray();
        var g = new double[x.Length];
        return (f(point, g), g);
    }

    private static double Cubic(double x1, double f1, double g1, double x2, double f2, double g2, (double Min, double Max)? bounds)
    {
        var (xminBound, xmaxBound) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1));
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0)
        {
            double d2 = Math.Sqrt(d2Square);
            double minPos = x1 <= x2
                ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return Math.Min(Math.Max(minPos, xminBound), xmaxBound);
        }

        return (xminBound + xmaxBound) / 2.0;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }
}

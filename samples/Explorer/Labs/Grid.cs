namespace SymbolicGrad.Explorer.Labs;

/// <summary>A rectangle of the plane: [X0, X1] × [Y0, Y1].</summary>
/// <param name="X0">Left.</param>
/// <param name="X1">Right.</param>
/// <param name="Y0">Bottom.</param>
/// <param name="Y1">Top.</param>
public sealed record Box(double X0, double X1, double Y0, double Y1)
{
    /// <summary>Throws unless the box is finite and not empty.</summary>
    public Box Validate()
    {
        if (!(double.IsFinite(X0) && double.IsFinite(X1) && double.IsFinite(Y0) && double.IsFinite(Y1)) || !(X1 > X0) || !(Y1 > Y0))
        {
            throw new ArgumentException("The box must be finite with x1 > x0 and y1 > y0.", "box");
        }

        // Its width and height must be finite too (x1 − x0 overflows for [−1e308, 1e308]): the grid's steps come from them.
        if (!double.IsFinite(X1 - X0) || !double.IsFinite(Y1 - Y0))
        {
            throw new ArgumentException("The box must have a finite width and height (x1 − x0 and y1 − y0 overflow here).", "box");
        }

        return this;
    }
}

/// <summary>A loss sampled on a regular grid, for the heat map and the contours.</summary>
/// <param name="X">The n abscissas.</param>
/// <param name="Y">The n ordinates.</param>
/// <param name="Z">Z[j][i] = f(X[i], Y[j]); non-finite values are NaN (drawn as gaps).</param>
public sealed record GridValues(double[] X, double[] Y, double[][] Z);

/// <summary>Samples two-parameter losses on grids.</summary>
public static class Grid
{
    /// <summary>The largest grid side.</summary>
    public const int MaxSide = 200;

    /// <summary>Evaluates <paramref name="f"/> (two parameters) on an n × n grid over <paramref name="box"/>.</summary>
    /// <exception cref="ArgumentException">The function does not take two parameters, the box is empty, or n is out of range.</exception>
    public static GridValues Evaluate(DifferentiableFunction f, Box box, int n)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(box);
        if (f.Dimension != 2)
        {
            throw new ArgumentException($"{f.Name} takes {f.Dimension} parameters; a landscape needs exactly 2.", nameof(f));
        }

        box.Validate();
        if (n < 2 || n > MaxSide)
        {
            throw new ArgumentException($"The grid side must be from 2 to {MaxSide}, not {n}.", nameof(n));
        }

        var xs = new double[n];
        var ys = new double[n];
        for (int i = 0; i < n; i++)
        {
            xs[i] = box.X0 + (box.X1 - box.X0) * i / (n - 1);
            ys[i] = box.Y0 + (box.Y1 - box.Y0) * i / (n - 1);
        }

        var z = new double[n][];
        var p = new double[2];
        for (int j = 0; j < n; j++)
        {
            z[j] = new double[n];
            for (int i = 0; i < n; i++)
            {
                p[0] = xs[i];
                p[1] = ys[j];
                double v = f.Value(p);
                z[j][i] = double.IsFinite(v) ? v : double.NaN;
            }
        }

        return new GridValues(xs, ys, z);
    }
}

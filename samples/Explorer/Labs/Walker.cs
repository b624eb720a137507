using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Explorer.Labs;

/// <summary>One optimizer's walk: the points it visited, the loss and gradient at each, and why it stopped.</summary>
/// <param name="Label">The legend label.</param>
/// <param name="Kind">The optimizer kind.</param>
/// <param name="Points">x₀, x₁, …: the start and the point after each step.</param>
/// <param name="Values">f at each point.</param>
/// <param name="Gradients">∇f at each point.</param>
/// <param name="Stop">"steps" (the step budget), "converged" (gradient below 1e-10), "diverged" (a non-finite value or a point beyond 1e6).</param>
/// <param name="State">The optimizer's saved state after the walk (base64 of <see cref="OptimizerState"/>), to continue it; null for L-BFGS.</param>
public sealed record Walk(string Label, string Kind, double[][] Points, double[] Values, double[][] Gradients, string Stop, string? State);

/// <summary>Walks optimizers from <c>SymbolicGrad.Optimizers</c> over a <see cref="DifferentiableFunction"/>, recording every point.</summary>
public static class Walker
{
    /// <summary>The most steps one walk may take.</summary>
    public const int MaxSteps = 5000;

    /// <summary>Runs <paramref name="steps"/> steps of <paramref name="spec"/> from <paramref name="start"/>.</summary>
    /// <param name="f">The loss.</param>
    /// <param name="start">The start point (not modified).</param>
    /// <param name="spec">The optimizer.</param>
    /// <param name="steps">Steps to take (1 … <see cref="MaxSteps"/>).</param>
    /// <param name="state">A state saved by an earlier walk with the same spec, to continue it (base64), or null.</param>
    /// <param name="gradientNoise">Standard deviation of Gaussian noise added to each gradient (0: none), seeded by <paramref name="seed"/>.</param>
    /// <param name="schedule">A learning-rate schedule applied before each step, or null.</param>
    /// <param name="seed">Seed of the noise.</param>
    /// <exception cref="ArgumentException">Bad lengths, non-finite start, bad step count, unknown optimizer, a state of another optimizer.</exception>
    public static Walk Run(
        DifferentiableFunction f,
        double[] start,
        OptimizerSpec spec,
        int steps,
        string? state = null,
        double gradientNoise = 0,
        Schedule? schedule = null,
        int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(spec);
        CheckPoint(f, start, nameof(start));
        if (steps < 1 || steps > MaxSteps)
        {
            throw new ArgumentException($"steps must be from 1 to {MaxSteps}, not {steps}.", nameof(steps));
        }

        var x = (double[])start.Clone();
        var g = new double[f.Dimension];
        var points = new List<double[]>(steps + 1);
        var values = new List<double>(steps + 1);
        var gradients = new List<double[]>(steps + 1);
        string stop = "steps";
        var random = new Random(seed);

        double Evaluate()
        {
            double v = f.ValueAndGradient(x, g);
            points.Add((double[])x.Clone());
            values.Add(v);
            gradients.Add((double[])g.Clone());
            return v;
        }

        if (spec.IsLbfgs)
        {
            var lbfgs = spec.CreateLbfgs();
            for (int k = 0; k < steps; k++)
            {
                double v = Evaluate();
                if (!Finite(v, x, g))
                {
                    stop = "diverged";
                    break;
                }

                if (Norm(g) < 1e-10)
                {
                    stop = "converged";
                    break;
                }

                lbfgs.Step(x, f.AsValueAndGradient());
                if (k == steps - 1)
                {
                    Evaluate();
                }
            }

            return new Walk(spec.DisplayLabel, spec.Kind, points.ToArray(), values.ToArray(), gradients.ToArray(), Finish(stop, x), null);
        }

        var optimizer = spec.Create();
        if (state is not null)
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(state);
            }
            catch (FormatException)
            {
                throw new ArgumentException("state is not base64.", nameof(state));
            }

            try
            {
                optimizer.RestoreState(OptimizerState.FromBytes(bytes));
            }
            catch (InvalidDataException e)
            {
                throw new ArgumentException("state is not a saved optimizer state: " + e.Message, nameof(state));
            }
        }

        var noisy = new double[f.Dimension];
        for (int k = 0; k < steps; k++)
        {
            double v = Evaluate();
            if (!Finite(v, x, g))
            {
                stop = "diverged";
                break;
            }

            if (Norm(g) < 1e-10 && gradientNoise == 0)
            {
                stop = "converged";
                break;
            }

            g.CopyTo(noisy, 0);
            if (gradientNoise > 0)
            {
                for (int i = 0; i < noisy.Length; i++)
                {
                    noisy[i] += gradientNoise * Gaussian(random);
                }
            }

            schedule?.Apply(optimizer);
            optimizer.Step(x, noisy);
            if (k == steps - 1)
            {
                Evaluate();
            }
        }

        stop = Finish(stop, x);
        string? saved = stop == "diverged" ? null : Convert.ToBase64String(optimizer.SaveState().ToBytes());
        return new Walk(spec.DisplayLabel, spec.Kind, points.ToArray(), values.ToArray(), gradients.ToArray(), stop, saved);
    }

    /// <summary>Throws when <paramref name="point"/> has the wrong length or a non-finite component.</summary>
    public static void CheckPoint(DifferentiableFunction f, double[]? point, string name)
    {
        if (point is null)
        {
            throw new ArgumentException($"{name} is missing.", name);
        }

        if (point.Length != f.Dimension)
        {
            throw new ArgumentException($"{f.Name} takes {f.Dimension} parameters but {name} has {point.Length}.", name);
        }

        if (!point.All(double.IsFinite))
        {
            throw new ArgumentException($"{name} has a non-finite component.", name);
        }
    }

    /// <summary>A standard normal deviate (Box–Muller), from a seeded generator.</summary>
    public static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static string Finish(string stop, double[] x) =>
        stop == "steps" && x.Any(v => Math.Abs(v) > 1e6) ? "diverged" : stop;

    private static bool Finite(double v, double[] x, double[] g) =>
        double.IsFinite(v) && x.All(c => double.IsFinite(c) && Math.Abs(c) <= 1e6) && g.All(double.IsFinite);

    private static double Norm(double[] g)
    {
        double s = 0;
        foreach (double c in g)
        {
            s += c * c;
        }

        return Math.Sqrt(s);
    }
}

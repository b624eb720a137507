namespace SymbolicGrad.Corpus;

public enum LossKind
{
    Squared,
    Absolute,
    Huber,
}

/// <summary>Piecewise losses with switch expressions, switch statements and relational patterns.</summary>
public static partial class Piecewise
{
    /// <summary>Huber regression of a line, the piece chosen by a switch expression with a when clause.</summary>
    [Differentiable]
    public static double HuberRegression(double w, double b, [NoDerivative] double[] xs, [NoDerivative] double[] ys, [NoDerivative] double delta)
    {
        double loss = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double r = w * xs[i] + b - ys[i];
            loss += Math.Abs(r) switch
            {
                var a when a <= delta => 0.5 * r * r,
                var a => delta * (a - 0.5 * delta),
            };
        }

        return loss / xs.Length;
    }

    /// <summary>Smooth L1 (β = 1) with relational patterns.</summary>
    [Differentiable]
    public static double SmoothL1(double[] predictions, [NoDerivative] double[] targets)
    {
        double loss = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            loss += (predictions[i] - targets[i]) switch
            {
                < -1.0 => -(predictions[i] - targets[i]) - 0.5,
                > 1.0 => predictions[i] - targets[i] - 0.5,
                var d => 0.5 * d * d,
            };
        }

        return loss;
    }

    /// <summary>The quantile (pinball) loss with a switch statement.</summary>
    [Differentiable]
    public static double Pinball(double[] q, [NoDerivative] double[] y, [NoDerivative] double tau)
    {
        double loss = 0;
        for (int i = 0; i < q.Length; i++)
        {
            double r = y[i] - q[i];
            switch (r)
            {
                case > 0:
                    loss += tau * r;
                    break;
                default:
                    loss += (tau - 1) * r;
                    break;
            }
        }

        return loss;
    }

    /// <summary>A loss chosen by an enum, with a throwing default arm.</summary>
    [Differentiable]
    public static double ByKind(double r, [NoDerivative] LossKind kind) => kind switch
    {
        LossKind.Squared => r * r,
        LossKind.Absolute => Math.Abs(r),
        LossKind.Huber => Math.Abs(r) < 1 ? 0.5 * r * r : Math.Abs(r) - 0.5,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>`and` / `or` patterns on a differentiable value.</summary>
    [Differentiable]
    public static double Band(double x) => x is > 0 and < 1 ? x * x : x is <= -2 or >= 3 ? 0.5 * x : 2 * x - 1;
}

namespace SymbolicGrad.Corpus.Tests;

public class PiecewiseTests
{
    [Theory]
    [InlineData(0.3, -0.2, 0.5)]
    [InlineData(1.5, 0.4, 1.0)]
    public void Huber(double w, double b, double delta)
    {
        var xs = Verify.Random(8, 1, 2);
        var ys = Verify.Random(8, 2, 2);
        double dw = 0, db = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double r = w * xs[i] + b - ys[i];
            double psi = Math.Abs(r) <= delta ? r : delta * Math.Sign(r);
            dw += psi * xs[i] / xs.Length;
            db += psi / xs.Length;
        }

        Verify.Both(Piecewise.HuberRegressionObjective(xs, ys, delta), new[] { w, b }, new[] { dw, db });
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void SmoothL1(int seed)
    {
        var p = Verify.Random(7, seed, 2.5);
        var t = Verify.Random(7, seed + 10, 1);
        var g = p.Zip(t, (a, b) => Math.Clamp(a - b, -1, 1)).ToArray();
        Verify.Both(Piecewise.SmoothL1Objective(p.Length, t), p, g);
    }

    [Theory]
    [InlineData(5, 0.3)]
    [InlineData(6, 0.8)]
    public void PinballWithASwitchStatement(int seed, double tau)
    {
        var q = Verify.Random(6, seed, 2);
        var y = Verify.Random(6, seed + 10, 2);
        var g = q.Zip(y, (a, b) => b - a > 0 ? -tau : 1 - tau).ToArray();
        Verify.Both(Piecewise.PinballObjective(q.Length, y, tau), q, g);
    }

    [Theory]
    [InlineData(LossKind.Squared, 0.3, 0.6)]
    [InlineData(LossKind.Absolute, -0.7, -1)]
    [InlineData(LossKind.Huber, 0.4, 0.4)]
    [InlineData(LossKind.Huber, -2.5, -1)]
    public void ByKind(LossKind kind, double r, double expected) =>
        Verify.Both(Piecewise.ByKindObjective(kind), new[] { r }, new[] { expected });

    [Theory]
    [InlineData(0.5, 1.0)]
    [InlineData(-3.0, 0.5)]
    [InlineData(4.0, 0.5)]
    [InlineData(-1.0, 2.0)]
    [InlineData(2.0, 2.0)]
    public void AndOrPatterns(double x, double expected) =>
        Verify.Both(Piecewise.BandObjective(), new[] { x }, new[] { expected });
}

namespace SymbolicGrad.Optimizers.Tests;

/// <summary>
/// The first five steps of every optimizer on a two-parameter quadratic, against the reference rules in
/// <see cref="ReferenceOptimizers"/> (written from the equations, not from the library).
/// </summary>
public class FirstStepsTests
{
    // f(x, y) = 2(x − 1)² + ½(y + 2)² + 0.3xy
    private static double[] Gradient(double[] p) => [4 * (p[0] - 1) + 0.3 * p[1], (p[1] + 2) + 0.3 * p[0]];

    private static readonly double[] Start = [3.0, -1.0];

    public static TheoryData<string> Cases() => new(CaseTable.Keys);

    private static readonly Dictionary<string, (Func<Optimizer> Ours, Func<ReferenceOptimizers.Rule> Reference)> CaseTable = new()
    {
        ["Sgd default"] = (() => new Sgd(), () => ReferenceOptimizers.Sgd(1e-3)),
        ["Sgd lr 0.1"] = (() => new Sgd(learningRate: 0.1), () => ReferenceOptimizers.Sgd(0.1)),
        ["Sgd momentum dampening wd"] = (() => new Sgd(0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.1),
            () => ReferenceOptimizers.Sgd(0.05, mu: 0.9, tau: 0.3, wd: 0.1)),
        ["Sgd nesterov"] = (() => new Sgd(0.05, momentum: 0.8, nesterov: true), () => ReferenceOptimizers.Sgd(0.05, mu: 0.8, nesterov: true)),
        ["Sgd maximize wd"] = (() => new Sgd(0.05, momentum: 0.5, weightDecay: 0.2, maximize: true),
            () => ReferenceOptimizers.Sgd(0.05, mu: 0.5, wd: 0.2, maximize: true)),
        ["Adam default"] = (() => new Adam(), () => ReferenceOptimizers.Adam()),
        ["Adam lr 0.1 wd amsgrad"] = (() => new Adam(0.1, weightDecay: 0.1, amsgrad: true), () => ReferenceOptimizers.Adam(0.1, wd: 0.1, amsgrad: true)),
        ["Adam maximize betas"] = (() => new Adam(0.05, beta1: 0.5, beta2: 0.9, epsilon: 1e-3, maximize: true),
            () => ReferenceOptimizers.Adam(0.05, b1: 0.5, b2: 0.9, eps: 1e-3, maximize: true)),
        ["AdamW default"] = (() => new AdamW(), () => ReferenceOptimizers.Adam(wd: 1e-2, decoupled: true)),
        ["AdamW lr 0.1 wd 0.5 amsgrad"] = (() => new AdamW(0.1, weightDecay: 0.5, amsgrad: true),
            () => ReferenceOptimizers.Adam(0.1, wd: 0.5, amsgrad: true, decoupled: true)),
        ["RmsProp default"] = (() => new RmsProp(), () => ReferenceOptimizers.RmsProp()),
        ["RmsProp centered momentum wd"] = (() => new RmsProp(0.01, alpha: 0.9, weightDecay: 0.1, momentum: 0.7, centered: true),
            () => ReferenceOptimizers.RmsProp(0.01, alpha: 0.9, wd: 0.1, mu: 0.7, centered: true)),
        ["AdaGrad default"] = (() => new AdaGrad(), () => ReferenceOptimizers.AdaGrad()),
        ["AdaGrad decay wd s0"] = (() => new AdaGrad(0.1, learningRateDecay: 0.5, weightDecay: 0.1, initialAccumulatorValue: 0.3),
            () => ReferenceOptimizers.AdaGrad(0.1, lrDecay: 0.5, wd: 0.1, s0: 0.3)),
        ["AdaDelta default"] = (() => new AdaDelta(), () => ReferenceOptimizers.AdaDelta()),
        ["AdaDelta rho wd"] = (() => new AdaDelta(0.5, rho: 0.5, epsilon: 1e-3, weightDecay: 0.1),
            () => ReferenceOptimizers.AdaDelta(0.5, rho: 0.5, eps: 1e-3, wd: 0.1)),
        ["Adamax default"] = (() => new Adamax(), () => ReferenceOptimizers.Adamax()),
        ["Adamax wd"] = (() => new Adamax(0.1, beta2: 0.5, weightDecay: 0.3), () => ReferenceOptimizers.Adamax(0.1, b2: 0.5, wd: 0.3)),
        ["NAdam default"] = (() => new NAdam(), () => ReferenceOptimizers.NAdam()),
        ["NAdam wd psi"] = (() => new NAdam(0.1, weightDecay: 0.1, momentumDecay: 0.5), () => ReferenceOptimizers.NAdam(0.1, wd: 0.1, psi: 0.5)),
        ["RAdam default"] = (() => new RAdam(), () => ReferenceOptimizers.RAdam()),
        ["RAdam beta2 0.5 never rectified"] = (() => new RAdam(0.1, beta2: 0.5), () => ReferenceOptimizers.RAdam(0.1, b2: 0.5)),
        ["RAdam beta2 0.8 wd"] = (() => new RAdam(0.1, beta2: 0.8, weightDecay: 0.1), () => ReferenceOptimizers.RAdam(0.1, b2: 0.8, wd: 0.1)),
        ["RmsProp maximize centered wd"] = (() => new RmsProp(0.01, alpha: 0.9, weightDecay: 0.1, momentum: 0.7, centered: true, maximize: true),
            () => ReferenceOptimizers.RmsProp(0.01, alpha: 0.9, wd: 0.1, mu: 0.7, centered: true, maximize: true)),
        ["AdaGrad maximize wd"] = (() => new AdaGrad(0.1, learningRateDecay: 0.5, weightDecay: 0.1, maximize: true),
            () => ReferenceOptimizers.AdaGrad(0.1, lrDecay: 0.5, wd: 0.1, maximize: true)),
        ["AdaDelta maximize wd"] = (() => new AdaDelta(0.5, rho: 0.5, epsilon: 1e-3, weightDecay: 0.1, maximize: true),
            () => ReferenceOptimizers.AdaDelta(0.5, rho: 0.5, eps: 1e-3, wd: 0.1, maximize: true)),
        ["Adamax maximize wd"] = (() => new Adamax(0.1, beta2: 0.5, weightDecay: 0.3, maximize: true),
            () => ReferenceOptimizers.Adamax(0.1, b2: 0.5, wd: 0.3, maximize: true)),
        ["NAdam maximize wd"] = (() => new NAdam(0.1, weightDecay: 0.1, maximize: true),
            () => ReferenceOptimizers.NAdam(0.1, wd: 0.1, maximize: true)),
        ["NAdam decoupled wd"] = (() => new NAdam(0.1, weightDecay: 0.3, decoupledWeightDecay: true),
            () => ReferenceOptimizers.NAdam(0.1, wd: 0.3, decoupled: true)),
        ["NAdam decoupled maximize"] = (() => new NAdam(0.05, weightDecay: 0.5, momentumDecay: 0.1, decoupledWeightDecay: true, maximize: true),
            () => ReferenceOptimizers.NAdam(0.05, wd: 0.5, psi: 0.1, decoupled: true, maximize: true)),
        ["RAdam maximize wd beta2 0.8"] = (() => new RAdam(0.1, beta2: 0.8, weightDecay: 0.1, maximize: true),
            () => ReferenceOptimizers.RAdam(0.1, b2: 0.8, wd: 0.1, maximize: true)),
        ["RAdam decoupled beta2 0.8"] = (() => new RAdam(0.1, beta2: 0.8, weightDecay: 0.3, decoupledWeightDecay: true),
            () => ReferenceOptimizers.RAdam(0.1, b2: 0.8, wd: 0.3, decoupled: true)),
        ["RAdam decoupled maximize default betas"] = (() => new RAdam(0.05, weightDecay: 0.5, decoupledWeightDecay: true, maximize: true),
            () => ReferenceOptimizers.RAdam(0.05, wd: 0.5, decoupled: true, maximize: true)),
        ["Lion default"] = (() => new Lion(), () => ReferenceOptimizers.Lion()),
        ["Lion lr 0.1 wd 0.5"] = (() => new Lion(0.1, beta1: 0.5, beta2: 0.7, weightDecay: 0.5),
            () => ReferenceOptimizers.Lion(0.1, b1: 0.5, b2: 0.7, wd: 0.5)),
    };

    // Eight steps rather than five so that RAdam's rectified branch (t ≥ 6) is exercised too. The tolerance is
    // 1e-15 relative (a few ulps): the references are written independently, so the last bit may differ.
    [Theory]
    [MemberData(nameof(Cases))]
    public void FirstStepsMatchTheEquations(string name)
    {
        var (ours, reference) = CaseTable[name];
        var optimizer = ours();
        var rule = reference();
        double[] mine = (double[])Start.Clone();
        double[] expected = (double[])Start.Clone();
        for (int t = 1; t <= 8; t++)
        {
            double[] g = Gradient(mine);
            optimizer.Step(mine, g);
            expected = rule(expected, Gradient(expected), t);
            for (int i = 0; i < 2; i++)
            {
                double tolerance = 1e-15 * Math.Max(1, Math.Abs(expected[i]));
                Assert.True(Math.Abs(mine[i] - expected[i]) <= tolerance,
                    $"{name}, step {t}, component {i}: got {mine[i]:R}, expected {expected[i]:R}");
            }

            // The parameters must actually move (guards against a rule that does nothing).
            Assert.NotEqual(Start[0], mine[0]);
        }

        Assert.Equal(8, optimizer.StepCount);
    }

    public static TheoryData<string> Maximizers() => new(MaximizerTable.Keys);

    private static readonly Dictionary<string, Func<bool, Optimizer>> MaximizerTable = new()
    {
        ["Sgd"] = m => new Sgd(0.05, momentum: 0.9, nesterov: true, maximize: m),
        ["Adam"] = m => new Adam(0.05, amsgrad: true, maximize: m),
        ["RmsProp"] = m => new RmsProp(0.01, momentum: 0.5, centered: true, maximize: m),
        ["AdaGrad"] = m => new AdaGrad(0.1, learningRateDecay: 0.1, maximize: m),
        ["AdaDelta"] = m => new AdaDelta(maximize: m),
        ["Adamax"] = m => new Adamax(0.05, maximize: m),
        ["NAdam"] = m => new NAdam(0.05, maximize: m),
        ["RAdam"] = m => new RAdam(0.05, maximize: m),
    };

    [Theory]
    [MemberData(nameof(Maximizers))]
    public void MaximizingFIsMinimizingMinusFBitForBit(string name)
    {
        // Without weight decay, maximize only negates the gradient first: ascending f from θ₀ must take exactly the
        // steps that descending −f takes (the minus of ∇f is exact in floating point).
        var up = MaximizerTable[name](true);
        var down = MaximizerTable[name](false);
        double[] a = (double[])Start.Clone(), b = (double[])Start.Clone();
        for (int t = 1; t <= 12; t++)
        {
            double[] ga = Gradient(a);
            up.Step(a, ga.Select(x => -x).ToArray());    // ∇(−f) given to a maximizer of −f ...
            down.Step(b, Gradient(b));                   // ... is a minimizer of f
            Assert.Equal(b.Select(BitConverter.DoubleToInt64Bits), a.Select(BitConverter.DoubleToInt64Bits));
        }

        Assert.NotEqual(Start, a);
    }

    [Fact]
    public void AdamFirstStepIsLearningRateTimesSign()
    {
        // Hand-derived: m̂ = g, v̂ = g², so θ₁ = θ₀ − γ·g/(|g| + ε).
        var adam = new Adam(learningRate: 0.01);
        double[] p = [3.0, -1.0];
        double[] g = Gradient(p); // (8 − 0.3, 1 + 0.9) = (7.7, 1.9)
        adam.Step(p, g);
        Assert.Equal(3.0 - 0.01 * 7.7 / (7.7 + 1e-8), p[0], 15);
        Assert.Equal(-1.0 - 0.01 * 1.9 / (1.9 + 1e-8), p[1], 15);
    }

    [Fact]
    public void RmsPropFirstStepIsAboutTenTimesTheLearningRate()
    {
        // Hand-derived: v = 0.01·g², so the step is γ·g/(0.1|g| + ε) ≈ 10γ.
        var rms = new RmsProp(learningRate: 0.001);
        double[] p = [3.0, -1.0];
        rms.Step(p, [7.7, 1.9]);
        Assert.Equal(3.0 - 0.001 * 7.7 / (Math.Sqrt(0.01 * 7.7 * 7.7) + 1e-8), p[0], 14);
        Assert.Equal(2.99, p[0], 6);
        Assert.Equal(-1.01, p[1], 6);
    }

    [Fact]
    public void RAdamStepsOneToFiveArePlainMomentum()
    {
        // With β2 = 0.999, ρ_t ≤ 5 for t ≤ 5: θ ← θ − γ·m̂. With a constant gradient m̂ = g exactly.
        var radam = new RAdam(learningRate: 0.1);
        double[] p = [0.0];
        for (int t = 1; t <= 5; t++)
        {
            radam.Step(p, [2.0]);
            Assert.Equal(-0.2 * t, p[0], 12);
        }

        radam.Step(p, [2.0]);
        // Step 6 is rectified: the move is no longer 0.2.
        Assert.True(Math.Abs(p[0] - -1.2) > 1e-3, $"step 6 moved by exactly γ·m̂ ({p[0]})");
    }

    [Fact]
    public void NAdamMomentumScheduleStartsNearPointFourFive()
    {
        // μ_1 = 0.9(1 − ½·0.96^0.004) = 0.4500735 (from the equations document).
        double mu1 = 0.9 * (1 - 0.5 * Math.Pow(0.96, 0.004));
        Assert.Equal(0.4500735, mu1, 7);
        // With g constant, step 1: m = 0.1g, v̂ = g², Π = μ1, so the move is
        // [γ(1 − μ1)/(1 − μ1)·1 + γ μ2/(1 − μ1μ2)·0.1] / (1 + ε)  for unit g.
        double mu2 = 0.9 * (1 - 0.5 * Math.Pow(0.96, 0.008));
        double expectedMove = 2e-3 * (1 + mu2 / (1 - mu1 * mu2) * 0.1) / (1 + 1e-8);
        var nadam = new NAdam();
        double[] p = [0.0];
        nadam.Step(p, [1.0]);
        Assert.Equal(-expectedMove, p[0], 14);
    }

    [Fact]
    public void LionSignOfZeroIsZero()
    {
        var lion = new Lion(learningRate: 0.1, weightDecay: 0);
        double[] p = [1.0, 1.0];
        lion.Step(p, [0.0, -3.0]);
        Assert.Equal(1.0, p[0]);
        Assert.Equal(1.1, p[1], 15);
    }
}

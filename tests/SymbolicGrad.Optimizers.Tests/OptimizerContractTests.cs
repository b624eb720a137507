namespace SymbolicGrad.Optimizers.Tests;

/// <summary>Validation, allocation and state save/restore: the contract every optimizer keeps.</summary>
public class OptimizerContractTests
{
    public static TheoryData<string> All() => new(Factories.Keys);

    private static readonly Dictionary<string, Func<Optimizer>> Factories = new()
    {
        ["Sgd"] = () => new Sgd(0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01),
        ["Sgd nesterov"] = () => new Sgd(0.05, momentum: 0.9, nesterov: true),
        ["Adam"] = () => new Adam(0.05, weightDecay: 0.01),
        ["Adam amsgrad"] = () => new Adam(0.05, amsgrad: true),
        ["AdamW"] = () => new AdamW(0.05),
        ["RmsProp"] = () => new RmsProp(0.01, momentum: 0.5, centered: true),
        ["AdaGrad"] = () => new AdaGrad(0.1, learningRateDecay: 0.01, initialAccumulatorValue: 0.1),
        ["AdaDelta"] = () => new AdaDelta(),
        ["Adamax"] = () => new Adamax(0.05),
        ["NAdam"] = () => new NAdam(0.05),
        ["RAdam"] = () => new RAdam(0.05),
        ["Lion"] = () => new Lion(0.3, beta1: 0.99, beta2: 0.5),

        // Groups (ranges that fit any length ≥ 2), maximize and decoupled weight decay.
        ["Sgd groups"] = () => new Sgd(0.05, momentum: 0.9, groups: [new(..1, momentum: 0.5), new(1.., learningRate: 0.01, weightDecay: 0.2)]),
        ["Adam groups"] = () => new Adam(0.05, amsgrad: true, groups: [new(..1, learningRate: 0.1, beta1: 0.5), new(1.., weightDecay: 0.1, epsilon: 1e-3)]),
        ["AdamW groups"] = () => new AdamW(0.05, groups: [new(^1..), new(..^1, learningRate: 0.02, weightDecay: 0, beta2: 0.9)]),
        ["RmsProp groups maximize"] = () => new RmsProp(0.01, momentum: 0.5, maximize: true, groups: [new(..1, momentum: 0.9), new(1.., epsilon: 1e-4)]),
        ["AdaGrad groups maximize"] = () => new AdaGrad(0.1, maximize: true, groups: [new(..1, learningRate: 0.2), new(1.., weightDecay: 0.1)]),
        ["AdaDelta groups maximize"] = () => new AdaDelta(maximize: true, groups: [new(..1, epsilon: 1e-3), new(1.., learningRate: 0.5)]),
        ["Adamax groups maximize"] = () => new Adamax(0.05, maximize: true, groups: [new(..1, beta2: 0.9), new(1.., beta1: 0.8)]),
        ["NAdam groups decoupled"] = () => new NAdam(0.05, weightDecay: 0.1, decoupledWeightDecay: true, groups: [new(..1, beta1: 0.8), new(1.., learningRate: 0.01)]),
        ["RAdam groups decoupled maximize"] = () => new RAdam(0.05, weightDecay: 0.1, decoupledWeightDecay: true, maximize: true, groups: [new(..1, weightDecay: 0.5), new(1..)]),
        ["Lion groups"] = () => new Lion(0.3, groups: [new(..1, beta1: 1.0), new(1.., learningRate: 0.1, beta2: 0.9)]),
    };

    // ∇ of (x0 − 1)² + 3(x1 + 2)² + ½x2² + ½x0x1 + sin(x2): smooth, bounded curvature, gradient signs change.
    private static double[] Gradient(double[] p) =>
        [2 * (p[0] - 1) + 0.5 * p[1], 6 * (p[1] + 2) + 0.5 * p[0], p[2] + Math.Cos(p[2])];

    private static void Run(Optimizer optimizer, double[] p, int steps)
    {
        for (int k = 0; k < steps; k++)
        {
            optimizer.Step(p, Gradient(p));
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void SaveRestoreContinuesBitForBit(string name)
    {
        double[] start = [-1.2, 1.0, 0.5];
        var uninterrupted = Factories[name]();
        double[] a = (double[])start.Clone();
        Run(uninterrupted, a, 20);

        var first = Factories[name]();
        double[] b = (double[])start.Clone();
        Run(first, b, 9);
        first.LearningRate *= 1.0; // untouched, but exercise the property
        byte[] saved = first.SaveState().ToBytes();

        var second = Factories[name]();
        second.RestoreState(OptimizerState.FromBytes(saved));
        Assert.Equal(9, second.StepCount);
        Assert.Equal(3, second.Dimension);
        Run(second, b, 11);

        Assert.All(a, x => Assert.True(double.IsFinite(x)));
        Assert.NotEqual(start, a);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(a[i]), BitConverter.DoubleToInt64Bits(b[i]));
        }

        // The saved state is a copy: continuing the first optimizer does not change what was saved.
        Assert.Equal(saved, OptimizerState.FromBytes(saved).ToBytes());
    }

    [Theory]
    [MemberData(nameof(All))]
    public void RestoringIntoAFreshOptimizerMidRunDiffersFromNotRestoring(string name)
    {
        // Guards against a restore that silently does nothing: a fresh optimizer without the state
        // must take a different path from the restored one.
        double[] start = [-1.2, 1.0, 0.5];
        var first = Factories[name]();
        double[] p = (double[])start.Clone();
        Run(first, p, 9);
        var state = first.SaveState();

        var restored = Factories[name]();
        restored.RestoreState(state);
        var fresh = Factories[name]();
        double[] x = (double[])p.Clone(), y = (double[])p.Clone();
        Run(restored, x, 10);
        Run(fresh, y, 10);
        Assert.All(x, v => Assert.True(double.IsFinite(v)));
        Assert.NotEqual(x, y);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void StepAllocatesNothingAfterTheFirstCall(string name)
    {
        var optimizer = Factories[name]();
        double[] p = [0.3, -0.2, 0.1, 0.4];
        double[] g = [0.5, -1.0, 2.0, 0.25];
        optimizer.Step(p, g);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 100; k++)
        {
            optimizer.Step(p, g);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void ALengthChangeIsRejected(string name)
    {
        var optimizer = Factories[name]();
        optimizer.Step(new double[3], new double[3]);
        var e = Assert.Throws<ArgumentException>(() => optimizer.Step(new double[4], new double[4]));
        Assert.Equal("parameters", e.ParamName);
        var mismatch = Assert.Throws<ArgumentException>(() => optimizer.Step(new double[3], new double[2]));
        Assert.Equal("gradient", mismatch.ParamName);
        optimizer.Reset();
        optimizer.Step(new double[4], new double[4]);
        Assert.Equal(4, optimizer.Dimension);
    }

    /// <summary>
    /// A gradient that shares memory with the parameters (a shifted view of one buffer) was read after the update had
    /// written it: a wrong step, silently (red-team I). Refused before anything changes.
    /// </summary>
    [Theory]
    [MemberData(nameof(All))]
    public void AGradientSharingMemoryWithTheParametersIsRejected(string name)
    {
        var optimizer = Factories[name]();
        double[] buffer = [1, 2, 3, 4, 5];
        var e = Assert.Throws<ArgumentException>(() => optimizer.Step(buffer.AsSpan(0, 4), buffer.AsSpan(1, 4)));
        Assert.Equal("gradient", e.ParamName);
        Assert.Contains("shares memory with parameters", e.Message, StringComparison.Ordinal);
        Assert.Equal([1.0, 2, 3, 4, 5], buffer);
        Assert.Equal(0, optimizer.StepCount);
        Assert.Throws<ArgumentException>(() => optimizer.Step(buffer, buffer));
    }

    public static TheoryData<string, string> BadArguments() => new()
    {
        { "learningRate", "sgd lr" },
        { "momentum", "sgd momentum" },
        { "weightDecay", "sgd wd" },
        { "momentum", "sgd nesterov without momentum" },
        { "dampening", "sgd nesterov with dampening" },
        { "beta1", "adam beta1" },
        { "beta2", "adam beta2" },
        { "epsilon", "adam eps" },
        { "weightDecay", "adamw wd" },
        { "alpha", "rmsprop alpha" },
        { "momentum", "rmsprop momentum" },
        { "learningRateDecay", "adagrad lr decay" },
        { "initialAccumulatorValue", "adagrad s0" },
        { "rho", "adadelta rho" },
        { "epsilon", "adamax eps" },
        { "momentumDecay", "nadam psi" },
        { "beta2", "radam beta2" },
        { "beta1", "lion beta1" },
        { "weightDecay", "lion wd" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void BadHyperParametersAreRejectedByName(string argument, string label)
    {
        Action create = label switch
        {
            "sgd lr" => () => _ = new Sgd(learningRate: -0.1),
            "sgd momentum" => () => _ = new Sgd(momentum: double.NaN),
            "sgd wd" => () => _ = new Sgd(weightDecay: -1),
            "sgd nesterov without momentum" => () => _ = new Sgd(nesterov: true),
            "sgd nesterov with dampening" => () => _ = new Sgd(momentum: 0.9, dampening: 0.1, nesterov: true),
            "adam beta1" => () => _ = new Adam(beta1: 1.0),
            "adam beta2" => () => _ = new Adam(beta2: -0.1),
            "adam eps" => () => _ = new Adam(epsilon: -1e-8),
            "adamw wd" => () => _ = new AdamW(weightDecay: double.PositiveInfinity),
            "rmsprop alpha" => () => _ = new RmsProp(alpha: -0.5),
            "rmsprop momentum" => () => _ = new RmsProp(momentum: -0.5),
            "adagrad lr decay" => () => _ = new AdaGrad(learningRateDecay: -1),
            "adagrad s0" => () => _ = new AdaGrad(initialAccumulatorValue: -1),
            "adadelta rho" => () => _ = new AdaDelta(rho: 1.5),
            "adamax eps" => () => _ = new Adamax(epsilon: double.NaN),
            "nadam psi" => () => _ = new NAdam(momentumDecay: -1),
            "radam beta2" => () => _ = new RAdam(beta2: 1.0),
            "lion beta1" => () => _ = new Lion(beta1: 1.1),
            "lion wd" => () => _ = new Lion(weightDecay: -1),
            _ => throw new InvalidOperationException(label),
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.Equal(argument, e.ParamName);
    }

    [Fact]
    public void SettingABadLearningRateIsRejected()
    {
        var adam = new Adam();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = -1);
        Assert.Equal("LearningRate", e.ParamName);
    }

    private static byte[] SavedAdam(out Adam adam)
    {
        adam = new Adam(0.05);
        double[] p = [1.0, 2.0, 0.5];
        Run(adam, p, 3);
        return adam.SaveState().ToBytes();
    }

    [Fact]
    public void AnyFlippedByteIsDetected()
    {
        byte[] bytes = SavedAdam(out _);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] copy = (byte[])bytes.Clone();
            copy[i] ^= 0x10;
            Assert.Throws<InvalidDataException>(() => OptimizerState.FromBytes(copy));
        }
    }

    [Fact]
    public void TruncatedOrExtendedDataIsRejected()
    {
        byte[] bytes = SavedAdam(out _);
        foreach (int length in new[] { 0, 3, 10, bytes.Length / 2, bytes.Length - 1 })
        {
            Assert.Throws<InvalidDataException>(() => OptimizerState.FromBytes(bytes.AsSpan(0, length)));
        }

        Assert.Throws<InvalidDataException>(() => OptimizerState.FromBytes([.. bytes, 0]));
        var e = Assert.Throws<InvalidDataException>(() => OptimizerState.FromBytes("not a state at all"u8));
        Assert.Contains("SGOS", e.Message);
    }

    [Fact]
    public void AStateWhoseBufferIsLongerThanItsBytesIsCorruptNotAnAllocation()
    {
        // A well-formed header with a valid checksum (FNV-1a is no secret) declaring dimension 2³¹ − 1 and a buffer of that
        // length, followed by one double: reading allocated the buffer first (OutOfMemoryException, "array dimensions
        // exceeded", from a state of 50 bytes) before it found the data missing.
        var body = new List<byte>();
        body.AddRange("SGOS"u8.ToArray());
        body.AddRange(BitConverter.GetBytes((ushort)1));
        body.AddRange(BitConverter.GetBytes((ushort)3));
        body.AddRange("Sgd"u8.ToArray());
        body.AddRange(BitConverter.GetBytes(int.MaxValue));
        body.AddRange(BitConverter.GetBytes(1L));
        body.AddRange(BitConverter.GetBytes((ushort)1));
        body.Add(3); // a buffer
        body.AddRange(BitConverter.GetBytes((ushort)8));
        body.AddRange("momentum"u8.ToArray());
        body.AddRange(BitConverter.GetBytes(int.MaxValue));
        body.AddRange(BitConverter.GetBytes(1.0));
        ulong hash = 14695981039346656037UL;
        foreach (byte b in body)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        byte[] crafted = [.. body, .. BitConverter.GetBytes(hash)];
        var e = Assert.Throws<InvalidDataException>(() => OptimizerState.FromBytes(crafted));
        Assert.Contains("buffer 'momentum' has 2147483647 doubles but only 8 bytes follow", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StateFromAnotherOptimizerIsRejected()
    {
        var state = OptimizerState.FromBytes(SavedAdam(out _));
        var e = Assert.Throws<ArgumentException>(() => new AdamW().RestoreState(state));
        Assert.Contains("Adam", e.Message);
        Assert.Contains("AdamW", e.Message);
        Assert.Throws<ArgumentException>(() => new Sgd().RestoreState(state));
    }

    [Fact]
    public void StateWithOtherSettingsOrDimensionIsRejectedAndNothingChanges()
    {
        var state = OptimizerState.FromBytes(SavedAdam(out _));
        var other = new Adam(0.05, beta2: 0.99);
        var e = Assert.Throws<ArgumentException>(() => other.RestoreState(state));
        Assert.Contains("beta2", e.Message);
        Assert.Equal(0, other.StepCount);

        var amsgrad = new Adam(0.05, amsgrad: true);
        Assert.Throws<ArgumentException>(() => amsgrad.RestoreState(state));

        var used = new Adam(0.05);
        used.Step(new double[5], new double[5]);
        Assert.Equal(3, state.Dimension);
        var dim = Assert.Throws<ArgumentException>(() => used.RestoreState(state));
        Assert.Contains("5", dim.Message);
        Assert.Equal(1, used.StepCount);
    }

    [Fact]
    public void StateCarriesTheLearningRateAndNamedBuffers()
    {
        var state = OptimizerState.FromBytes(SavedAdam(out var adam));
        Assert.Equal(1, state.FormatVersion);
        Assert.Equal("Adam", state.OptimizerName);
        Assert.Equal(3, state.StepCount);
        Assert.Equal(0.05, state.Scalars["learning_rate"]);
        Assert.Equal(0.999, state.Settings["beta2"]);
        Assert.Equal(["exp_avg", "exp_avg_sq"], state.Buffers.Keys.Order());
        var fresh = new Adam(0.001);
        fresh.RestoreState(state);
        Assert.Equal(0.05, fresh.LearningRate);
        Assert.Equal(adam.SaveState().ToBytes(), fresh.SaveState().ToBytes());
    }

    [Fact]
    public void StateOfANeverSteppedOptimizerRoundTrips()
    {
        var sgd = new Sgd(0.1, momentum: 0.9);
        var state = OptimizerState.FromBytes(sgd.SaveState().ToBytes());
        Assert.Equal(0, state.Dimension);
        Assert.Empty(state.Buffers);
        var other = new Sgd(0.1, momentum: 0.9);
        other.Step(new double[2], new double[2]);
        other.RestoreState(state);
        Assert.Equal(0, other.Dimension);
        other.Step(new double[3], new double[3]);
    }
}

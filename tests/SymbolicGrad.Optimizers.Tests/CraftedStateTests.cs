using System.Buffers.Binary;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Optimizers.Tests;

/// <summary>
/// RestoreState checks what the setters check (stop 32, red-team): a state whose checksum is right but whose learning
/// rate is negative, NaN or infinite, or whose buffers hold NaN or ∞, was restored, and the next step ascended or gave
/// NaN parameters. The checksum is no secret (the Explorer restores states its page sends), so such states are crafted
/// here the way anyone can: change a double in the bytes and recompute FNV-1a.
/// </summary>
public class CraftedStateTests
{
    private static byte[] Replace(byte[] bytes, double from, double to)
    {
        var pattern = BitConverter.GetBytes(from);
        int at = bytes.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0, $"{from} is not in the state");
        Assert.True(bytes.AsSpan(at + 1).IndexOf(pattern) < 0, $"{from} is in the state twice");
        BitConverter.GetBytes(to).CopyTo(bytes, at);
        ulong hash = 14695981039346656037UL;
        foreach (byte b in bytes.AsSpan(0, bytes.Length - 8))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), hash);
        return bytes;
    }

    [Theory]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ALearningRateTheSetterRefusesIsRefused(double lr)
    {
        var sgd = new Sgd(0.125, momentum: 0.9);
        double[] x = { 1 };
        sgd.Step(x, new[] { 1.0 });
        var crafted = OptimizerState.FromBytes(Replace(sgd.SaveState().ToBytes(), 0.125, lr));
        var fresh = new Sgd(0.125, momentum: 0.9);
        var error = Assert.Throws<ArgumentException>(() => fresh.RestoreState(crafted));
        Assert.Contains("learning_rate", error.Message);
        Assert.Contains("finite number ≥ 0", error.Message);

        // The honest state still restores, and nothing was changed by the refusal.
        fresh.RestoreState(sgd.SaveState());
        Assert.Equal(0.125, fresh.LearningRate);
    }

    [Fact]
    public void ANonFiniteBufferIsRefusedAndNamed()
    {
        var adam = new Adam(0.01);
        double[] x = { 1, 2 };
        adam.Step(x, new[] { 0.375, -0.5 });
        // Adam's first moment after one step is (1 − β₁)·g ≈ 0.1·0.375 (as PyTorch computes it: lerp).
        double m0 = adam.SaveState().Buffers.Values.Single(b => Math.Abs(b[0] - (0.1 * 0.375)) < 1e-15)[0];
        var crafted = OptimizerState.FromBytes(Replace(adam.SaveState().ToBytes(), m0, double.NaN));
        var error = Assert.Throws<ArgumentException>(() => new Adam(0.01).RestoreState(crafted));
        Assert.Contains("NaN at index 0", error.Message);
        Assert.Contains("finite", error.Message);
    }

    /// <summary>
    /// The other scalars and buffers as their setters see them (red-team O, stop 36): Adam's β1 = 1, SGD's momentum −5,
    /// a negative second moment and a step count of long.MaxValue were restored, and the next steps gave NaN or wrong
    /// parameters.
    /// </summary>
    [Fact]
    public void ScalarsBuffersAndStepCountsTheOptimizerCouldNotHaveAreRefused()
    {
        var adam = new Adam(0.01, beta1: 0.875);
        double[] x = { 1, 2 };
        adam.Step(x, new[] { 0.375, -0.5 });
        var error = Assert.Throws<ArgumentException>(() => new Adam(0.01, beta1: 0.875).RestoreState(OptimizerState.FromBytes(Replace(adam.SaveState().ToBytes(), 0.875, 1.0))));
        Assert.Contains("β1 must lie in [0, 1)", error.Message);

        // the second moment after one step is (1 − β₂)·g² = 0.001·0.375²
        double v0 = adam.SaveState().Buffers["exp_avg_sq"][0];
        error = Assert.Throws<ArgumentException>(() => new Adam(0.01, beta1: 0.875).RestoreState(OptimizerState.FromBytes(Replace(adam.SaveState().ToBytes(), v0, -v0))));
        Assert.Contains("'exp_avg_sq'", error.Message);
        Assert.Contains("never negative", error.Message);

        var sgd = new Sgd(0.125, momentum: 0.75);
        sgd.Step(x, new[] { 1.0, 1.0 });
        error = Assert.Throws<ArgumentException>(() => new Sgd(0.125, momentum: 0.75).RestoreState(OptimizerState.FromBytes(Replace(sgd.SaveState().ToBytes(), 0.75, -5.0))));
        Assert.Contains("a momentum must be a finite number ≥ 0", error.Message);

        var bytes = adam.SaveState().ToBytes();
        var stepBytes = BitConverter.GetBytes(1L);
        int at = bytes.AsSpan().IndexOf(stepBytes);
        Assert.True(at >= 0);
        BitConverter.GetBytes(long.MaxValue).CopyTo(bytes, at);
        ulong hash = 14695981039346656037UL;
        foreach (byte b in bytes.AsSpan(0, bytes.Length - 8))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), hash);
        var crafted = OptimizerState.FromBytes(bytes);
        Assert.Equal(long.MaxValue, crafted.StepCount);
        error = Assert.Throws<ArgumentException>(() => new Adam(0.01, beta1: 0.875).RestoreState(crafted));
        Assert.Contains("step count", error.Message);

        // the honest states still restore
        new Adam(0.01, beta1: 0.875).RestoreState(adam.SaveState());
        new Sgd(0.125, momentum: 0.75).RestoreState(sgd.SaveState());
    }
}

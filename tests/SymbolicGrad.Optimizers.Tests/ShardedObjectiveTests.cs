namespace SymbolicGrad.Optimizers.Tests;

/// <summary>Data-parallel evaluation: fixed shards, a pairwise reduction, the same bits for every thread count.</summary>
public class ShardedObjectiveTests
{
    private static readonly int[] ThreadCounts = [1, 2, 3, 8];

    // Linear least squares: rows of x (d features), residual rᵢ = w·xᵢ − yᵢ, loss Σ rᵢ², gradient 2 Σ rᵢ xᵢ.
    private sealed record LeastSquares(int D, double[] X, double[] Y)
    {
        public int Count => Y.Length;

        public static LeastSquares Create(int count, int d, int seed)
        {
            var random = new Random(seed);
            var x = new double[count * d];
            var y = new double[count];
            for (int i = 0; i < count; i++)
            {
                double target = 0.25;
                for (int j = 0; j < d; j++)
                {
                    x[i * d + j] = random.NextDouble() * 2 - 1;
                    target += (j + 1) * x[i * d + j];
                }

                y[i] = target + 0.01 * (random.NextDouble() - 0.5);
            }

            return new LeastSquares(d, x, y);
        }

        // the shard delegate: the sum over rows [start, start + count)
        public double Shard(ReadOnlySpan<double> w, int start, int count, Span<double> g)
        {
            double sum = 0;
            for (int i = start; i < start + count; i++)
            {
                double r = -Y[i];
                for (int j = 0; j < D; j++)
                {
                    r += w[j] * X[i * D + j];
                }

                sum += r * r;
                for (int j = 0; j < D; j++)
                {
                    g[j] += 2 * r * X[i * D + j];
                }
            }

            return sum;
        }

        public double ShardValue(ReadOnlySpan<double> w, int start, int count) => Shard(w, start, count, new double[D]);

        // the same loss in closed form, as one serial pass: XᵀX and Xᵀy, then f = wᵀXᵀXw − 2wᵀXᵀy + yᵀy, ∇f = 2(XᵀXw − Xᵀy)
        public double ClosedForm(double[] w, double[] g)
        {
            var xtx = new double[D, D];
            var xty = new double[D];
            double yty = 0;
            for (int i = 0; i < Count; i++)
            {
                for (int j = 0; j < D; j++)
                {
                    xty[j] += X[i * D + j] * Y[i];
                    for (int k = 0; k < D; k++)
                    {
                        xtx[j, k] += X[i * D + j] * X[i * D + k];
                    }
                }

                yty += Y[i] * Y[i];
            }

            double f = yty;
            for (int j = 0; j < D; j++)
            {
                double xtxW = 0;
                for (int k = 0; k < D; k++)
                {
                    xtxW += xtx[j, k] * w[k];
                }

                g[j] = 2 * (xtxW - xty[j]);
                f += w[j] * xtxW - 2 * w[j] * xty[j];
            }

            return f;
        }
    }

    private static double[] Point(int d) => Enumerable.Range(0, d).Select(j => 0.5 * j - 0.3).ToArray();

    private static long[] Bits(IEnumerable<double> values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();

    [Theory]
    [InlineData(10_007, 3, null)] // the default: 16 shards, the last shorter
    [InlineData(10_007, 3, 1)]    // one example per shard: 10,007 buffers, a deep tree
    [InlineData(10_007, 3, 640)]
    [InlineData(5, 4, 2)]         // fewer examples than threads
    [InlineData(1_000, 1, 10_000)] // one shard larger than the data
    public void TheSameBitsOnEveryThreadCount(int count, int d, int? shardSize)
    {
        var data = LeastSquares.Create(count, d, seed: 11);
        double[] w = Point(d);
        long[]? reference = null;
        foreach (int threads in ThreadCounts)
        {
            var objective = new ShardedObjective(d, count, data.Shard, shardSize: shardSize, maxDegreeOfParallelism: threads);
            var g = new double[d];
            double f = objective.ValueAndGradient(w, g);
            long[] bits = Bits(g.Prepend(f));
            if (reference is null)
            {
                reference = bits;
            }
            else
            {
                Assert.Equal(reference, bits);
            }

            // and again on the same instance: no state carried from one call to the next
            double again = objective.ValueAndGradient(w, g);
            Assert.Equal(bits, Bits(g.Prepend(again)));
        }
    }

    [Fact]
    public void ALargeGradientIsReducedOnSeveralThreadsWithTheSameBits()
    {
        // 40,000 parameters: above the size from which the reduction itself is split over element blocks
        const int d = 40_000;
        const int count = 37;
        var random = new Random(3);
        var a = new double[count * d];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = random.NextDouble() - 0.5;
        }

        // f = Σᵢ Σⱼ aᵢⱼ·wⱼ², ∂f/∂wⱼ = 2wⱼ Σᵢ aᵢⱼ
        double Shard(ReadOnlySpan<double> w, int start, int n, Span<double> g)
        {
            double f = 0;
            for (int i = start; i < start + n; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    f += a[i * d + j] * w[j] * w[j];
                    g[j] += 2 * a[i * d + j] * w[j];
                }
            }

            return f;
        }

        double[] point = Enumerable.Range(0, d).Select(j => Math.Sin(j)).ToArray();
        var expected = new double[d];
        for (int j = 0; j < d; j++)
        {
            double column = 0;
            for (int i = 0; i < count; i++)
            {
                column += a[i * d + j];
            }

            expected[j] = 2 * point[j] * column;
        }

        long[]? reference = null;
        foreach (int threads in ThreadCounts)
        {
            var g = new double[d];
            double f = new ShardedObjective(d, count, Shard, shardSize: 3, maxDegreeOfParallelism: threads).ValueAndGradient(point, g);
            reference ??= Bits(g.Prepend(f));
            Assert.Equal(reference, Bits(g.Prepend(f)));
            for (int j = 0; j < d; j += 997)
            {
                Assert.Equal(expected[j], g[j], 1e-12);
            }
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(7)]
    [InlineData(1)]
    public void AgreesWithTheClosedFormToRounding(int? shardSize)
    {
        var data = LeastSquares.Create(2_001, 4, seed: 5);
        double[] w = Point(4);
        var expected = new double[4];
        double expectedValue = data.ClosedForm(w, expected);
        var g = new double[4];
        double value = new ShardedObjective(4, data.Count, data.Shard, shardSize: shardSize).ValueAndGradient(w, g);
        Assert.Equal(expectedValue, value, 1e-9 * Math.Abs(expectedValue));
        for (int j = 0; j < 4; j++)
        {
            Assert.Equal(expected[j], g[j], 1e-9 * Math.Max(1, Math.Abs(expected[j])));
        }
    }

    [Fact]
    public void AMeanOfShardMeansIsTheMeanOverAllExamples()
    {
        // shards of 300 over 1,000 examples: sizes 300, 300, 300, 100, so an unweighted mean of the shard means would be wrong
        var data = LeastSquares.Create(1_000, 2, seed: 9);
        double[] w = [0.7, 1.9];
        var expected = new double[2];
        double expectedValue = data.ClosedForm(w, expected) / data.Count;
        var mean = new ShardedObjective(2, data.Count, (p, start, n, g) =>
        {
            double sum = data.Shard(p, start, n, g);
            g[0] /= n;
            g[1] /= n;
            return sum / n;
        }, shardSize: 300, reduction: ShardReduction.Mean);
        var g = new double[2];
        Assert.Equal(expectedValue, mean.ValueAndGradient(w, g), 1e-12 * Math.Abs(expectedValue));
        Assert.Equal(expected[0] / data.Count, g[0], 1e-12);
        Assert.Equal(expected[1] / data.Count, g[1], 1e-12);

        // the same as sums scaled by 1 / N
        var sum = new ShardedObjective(2, data.Count, data.Shard, shardSize: 300, scale: 1.0 / data.Count);
        var gs = new double[2];
        Assert.Equal(mean.ValueAndGradient(w, g), sum.ValueAndGradient(w, gs), 1e-14);
        Assert.Equal(g[0], gs[0], 1e-14);
    }

    [Fact]
    public void ShardsCoverTheExamplesOnceInOrder()
    {
        var objective = new ShardedObjective(1, 1_000, (_, _, _, _) => 0, shardSize: 300);
        Assert.Equal(4, objective.ShardCount);
        Assert.Equal([(0, 300), (300, 300), (600, 300), (900, 100)], Enumerable.Range(0, 4).Select(objective.ShardRange));

        var byDefault = new ShardedObjective(1, 1_000, (_, _, _, _) => 0);
        Assert.Equal(63, byDefault.ShardSize); // ⌈1000 / 16⌉
        Assert.Equal(16, byDefault.ShardCount);

        // every example seen exactly once, whatever the thread count
        foreach (int threads in ThreadCounts)
        {
            var seen = new int[1_003];
            new ShardedObjective(1, seen.Length, (_, start, n, _) =>
            {
                for (int i = start; i < start + n; i++)
                {
                    Interlocked.Increment(ref seen[i]);
                }

                return 0;
            }, shardSize: 10, maxDegreeOfParallelism: threads).ValueAndGradient([0.0], new double[1]);
            Assert.All(seen, c => Assert.Equal(1, c));
        }
    }

    [Fact]
    public void ValueAloneIsTheValueOfValueAndGradient()
    {
        var data = LeastSquares.Create(999, 3, seed: 2);
        double[] w = Point(3);
        var withValue = new ShardedObjective(3, data.Count, data.Shard, data.ShardValue, shardSize: 50, maxDegreeOfParallelism: 2);
        var without = new ShardedObjective(3, data.Count, data.Shard, shardSize: 50, maxDegreeOfParallelism: 2);
        double both = withValue.ValueAndGradient(w, new double[3]);
        Assert.Equal(BitConverter.DoubleToInt64Bits(both), BitConverter.DoubleToInt64Bits(withValue.Value(w)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(both), BitConverter.DoubleToInt64Bits(without.Value(w)));
        var f = withValue.ToFunction("least squares");
        Assert.Equal(3, f.Dimension);
        Assert.Equal(both, f.Value(w));
    }

    [Fact]
    public void LbfgsOnAShardedObjectiveFindsTheLeastSquaresSolution()
    {
        // noise-free data on w = (1, 2, 3): the minimum is there, with loss 0
        var random = new Random(4);
        const int count = 5_000;
        var x = new double[count * 3];
        var y = new double[count];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                x[i * 3 + j] = random.NextDouble() * 2 - 1;
                y[i] += (j + 1) * x[i * 3 + j];
            }
        }

        var data = new LeastSquares(3, x, y);
        var objective = new ShardedObjective(3, count, data.Shard, scale: 1.0 / count);
        var result = new Lbfgs(maxIterations: 100, toleranceGrad: 1e-12, toleranceChange: 1e-16, lineSearch: LineSearch.StrongWolfe)
            .Minimize(objective.ToFunction(), [0.0, 0.0, 0.0]);
        Assert.Equal(1.0, result.Parameters[0], 1e-8);
        Assert.Equal(2.0, result.Parameters[1], 1e-8);
        Assert.Equal(3.0, result.Parameters[2], 1e-8);
    }

    [Fact]
    public void ConcurrentCallersGetTheSameResult()
    {
        var data = LeastSquares.Create(4_000, 3, seed: 8);
        var objective = new ShardedObjective(3, data.Count, data.Shard, shardSize: 100, maxDegreeOfParallelism: 2);
        double[] w = Point(3);
        var reference = new double[3];
        long[] expected = Bits(reference.Prepend(objective.ValueAndGradient(w, reference)).ToArray());
        var results = new long[8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            var g = new double[3];
            results[k] = Bits(g.Prepend(objective.ValueAndGradient(w, g)).ToArray());
        });
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void ABadShardSizeThrowsAndSaysSo(int shardSize)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ShardedObjective(2, 100, (_, _, _, _) => 0, shardSize: shardSize));
        Assert.Equal("shardSize", e.ParamName);
        Assert.Contains("at least 1", e.Message);
    }

    [Fact]
    public void OtherMisuseThrowsAndNamesTheArgument()
    {
        ShardGradient none = (_, _, _, _) => 0;
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => new ShardedObjective(2, 0, none)).ParamName);
        Assert.Equal("dimension", Assert.Throws<ArgumentOutOfRangeException>(() => new ShardedObjective(0, 10, none)).ParamName);
        Assert.Equal("scale", Assert.Throws<ArgumentOutOfRangeException>(() => new ShardedObjective(2, 10, none, scale: double.NaN)).ParamName);
        Assert.Equal("scale", Assert.Throws<ArgumentOutOfRangeException>(() => new ShardedObjective(2, 10, none, scale: 0)).ParamName);
        Assert.Equal("maxDegreeOfParallelism",
            Assert.Throws<ArgumentOutOfRangeException>(() => new ShardedObjective(2, 10, none, maxDegreeOfParallelism: 0)).ParamName);
        Assert.Throws<ArgumentNullException>(() => new ShardedObjective(2, 10, null!));

        var objective = new ShardedObjective(2, 10, none);
        var e = Assert.Throws<ArgumentException>(() => objective.ValueAndGradient([1.0, 2.0, 3.0], new double[2]));
        Assert.Equal("parameters", e.ParamName);
        Assert.Contains("length 3", e.Message);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => objective.ValueAndGradient([1.0, 2.0], new double[1])).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => objective.ShardRange(objective.ShardCount));
    }

    [Fact]
    public void AnExceptionInAShardReachesTheCallerUnwrapped()
    {
        var objective = new ShardedObjective(1, 100, (_, start, _, _) =>
            start == 50 ? throw new InvalidOperationException("shard at 50 failed") : 0.0, shardSize: 10, maxDegreeOfParallelism: 2);
        var e = Assert.Throws<InvalidOperationException>(() => objective.ValueAndGradient([0.0], new double[1]));
        Assert.Equal("shard at 50 failed", e.Message);
    }

    [Fact]
    public void WithMaxDegreeOfParallelismKeepsTheShards()
    {
        var data = LeastSquares.Create(3_000, 2, seed: 1);
        var one = new ShardedObjective(2, data.Count, data.Shard, shardSize: 77, maxDegreeOfParallelism: 1);
        var two = one.WithMaxDegreeOfParallelism(2);
        Assert.Equal(77, two.ShardSize);
        Assert.Equal(2, two.MaxDegreeOfParallelism);
        var g1 = new double[2];
        var g2 = new double[2];
        Assert.Equal(Bits(g1.Prepend(one.ValueAndGradient([0.1, 0.2], g1)).ToArray()), Bits(g2.Prepend(two.ValueAndGradient([0.1, 0.2], g2)).ToArray()));
    }

    /// <summary>
    /// A shard that evaluates the same objective (red-team O, stop 36): on the calling thread the lock let it in and it
    /// overwrote the outer evaluation's buffers (Σ (p − i)² at p = 1 gave 58025 instead of 6); on a pool thread it waited
    /// for the lock the outer evaluation holds, forever. Both now throw, on 1 thread and on several; another instance
    /// made with the same delegate may be evaluated inside a shard.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task AShardThatEvaluatesTheSameObjectiveThrows(int threads)
    {
        ShardedObjective? self = null;
        double Shard(ReadOnlySpan<double> p, int start, int count, Span<double> g)
        {
            double sum = 0;
            for (int i = start; i < start + count; i++)
            {
                sum += (p[0] - i) * (p[0] - i);
                g[0] += 2 * (p[0] - i);
            }

            if (start == 2)
            {
                sum += 0 * self!.Value(p);
            }

            return sum;
        }

        self = new ShardedObjective(1, 4, Shard, shardSize: 1, maxDegreeOfParallelism: threads);
        Exception? thrown = null;
        try
        {
            await Task.Run(() => self.ValueAndGradient([1.0], new double[1])).WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (Exception e)
        {
            thrown = e is AggregateException a ? a.InnerExceptions.Single() : e;
        }

        var error = Assert.IsType<InvalidOperationException>(thrown);
        Assert.Contains("evaluated the same objective", error.Message, StringComparison.Ordinal);

        // the objective still works, and another instance inside a shard is fine
        double Plain(ReadOnlySpan<double> p, int start, int count, Span<double> g)
        {
            double sum = 0;
            for (int i = start; i < start + count; i++)
            {
                sum += (p[0] - i) * (p[0] - i);
                g[0] += 2 * (p[0] - i);
            }

            return sum;
        }

        var other = new ShardedObjective(1, 4, Plain, shardSize: 1, maxDegreeOfParallelism: threads);
        var nested = new ShardedObjective(1, 4, (p, start, count, g) => Plain(p, start, count, g) + 0 * other.Value(p), shardSize: 1, maxDegreeOfParallelism: threads);
        var grad = new double[1];
        Assert.Equal(6.0, nested.ValueAndGradient([1.0], grad));
        Assert.Equal(-4.0, grad[0]);
    }
}

using System.Runtime.ExceptionServices;

namespace SymbolicGrad.Optimizers;

/// <summary>
/// What data-parallel evaluation shares (<see cref="ShardedObjective"/>, and the <see cref="Trainer"/>'s batches): run a
/// fixed list of shards on up to a given number of threads, each into its own buffer, then add the buffers in a fixed
/// pairwise tree. Which thread ran which shard never enters the arithmetic, so the result has the same bits for every
/// thread count.
/// </summary>
internal static class DeterministicReduction
{
    /// <summary>Above this many elements per buffer, the reduction itself runs on several threads (over element blocks).</summary>
    private const int ParallelReductionThreshold = 1 << 15;
    private const int ReductionBlock = 1 << 13;

    /// <summary>Doubles of padding after each shard buffer: two cache lines, so that no two threads write to one line.</summary>
    private const int Padding = 16;

    /// <summary>
    /// <paramref name="count"/> buffers of <paramref name="length"/> doubles (use <c>AsSpan(0, length)</c>), each followed
    /// by two cache lines of padding. Without it, small buffers allocated one after the other share cache lines, and
    /// threads adding into neighbouring shards' gradients (a d = 10 model, say) invalidate each other's lines on every
    /// write: false sharing, which can cancel the speed-up entirely.
    /// </summary>
    public static double[][] NewBuffers(int count, int length)
    {
        var buffers = new double[count][];
        for (int s = 0; s < count; s++)
        {
            buffers[s] = new double[length + Padding];
        }

        return buffers;
    }

    /// <summary>Runs <paramref name="shard"/> for 0 ≤ s &lt; <paramref name="shards"/>, on up to <paramref name="options"/>' threads.</summary>
    /// <remarks>A single exception thrown by a shard is rethrown as it is, not wrapped in an <see cref="AggregateException"/>.</remarks>
    public static void Run(int shards, ParallelOptions options, Action<int> shard)
    {
        // Inside a model's evaluation (a custom derivative), the shards run on this thread: see InModelEvaluation.
        if (options.MaxDegreeOfParallelism == 1 || shards == 1 || global::SymbolicGrad.Internal.ObjectiveBuffers.InModelEvaluation)
        {
            for (int s = 0; s < shards; s++)
            {
                shard(s);
            }

            return;
        }

        try
        {
            Parallel.For(0, shards, options, shard);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }

    /// <summary>
    /// Adds <c>values[0..count)</c> in a pairwise tree: at stride 1, 2, 4…, entry s receives entry s + stride, for every
    /// s that is a multiple of twice the stride. The tree depends only on <paramref name="count"/>.
    /// </summary>
    public static double PairwiseSum(double[] values, int count)
    {
        for (int stride = 1; stride < count; stride *= 2)
        {
            for (int s = 0; s + stride < count; s += 2 * stride)
            {
                values[s] += values[s + stride];
            }
        }

        return values[0];
    }

    /// <summary>
    /// <paramref name="target"/>[i] = the pairwise-tree sum (the tree of <see cref="PairwiseSum(double[], int)"/>) of <c>buffers[s][i]</c> over
    /// 0 ≤ s &lt; <paramref name="count"/> and i &lt; <c>target.Length</c>, each element summed in the same tree; the buffers are overwritten. Large
    /// buffers are reduced on several threads, over blocks of elements, which leaves each element's order unchanged.
    /// </summary>
    public static void PairwiseSum(double[][] buffers, int count, Span<double> target, ParallelOptions options)
    {
        int length = target.Length;
        if (count > 1)
        {
            if (options.MaxDegreeOfParallelism != 1 && length >= ParallelReductionThreshold)
            {
                int blocks = (length + ReductionBlock - 1) / ReductionBlock;
                Run(blocks, options, b => ReduceRange(buffers, count, b * ReductionBlock, Math.Min(ReductionBlock, length - b * ReductionBlock)));
            }
            else
            {
                ReduceRange(buffers, count, 0, length);
            }
        }

        buffers[0].AsSpan(0, length).CopyTo(target);
    }

    private static void ReduceRange(double[][] buffers, int count, int start, int length)
    {
        for (int stride = 1; stride < count; stride *= 2)
        {
            for (int s = 0; s + stride < count; s += 2 * stride)
            {
                var into = buffers[s].AsSpan(start, length);
                ReadOnlySpan<double> from = buffers[s + stride].AsSpan(start, length);
                for (int i = 0; i < into.Length; i++)
                {
                    into[i] += from[i];
                }
            }
        }
    }
}

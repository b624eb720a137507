namespace SymbolicGrad.Optimizers;

/// <summary>
/// Evaluates the mean loss and mean gradient of a batch, optionally on several threads, with a reduction whose
/// order depends only on the batch size: the batch is cut into at most <see cref="MaxShards"/> contiguous shards,
/// each shard sums its examples in order into its own buffer, and the shard sums are added in a fixed pairwise tree
/// (<see cref="DeterministicReduction"/>, shared with <see cref="ShardedObjective"/>).
/// </summary>
internal sealed class BatchEvaluator
{
    public const int MaxShards = 16;

    private readonly TrainingData _data;
    private readonly double[][] _shardGradient;
    private readonly double[][] _scratch;
    private readonly double[] _shardLoss;
    private readonly ParallelOptions _parallelOptions;
    private readonly Action<int> _runShard;
    private double[] _batchParameters = [];
    private int[] _batchOrder = [];
    private int _batchStart;
    private int _batchCount;
    private int _batchShards;

    public BatchEvaluator(TrainingData data, int largestBatch, int parallelism)
    {
        _data = data;
        int shards = Math.Min(largestBatch, MaxShards);
        // padded, so that threads working on neighbouring shards never write to one cache line
        _shardGradient = DeterministicReduction.NewBuffers(shards, data.Dimension);
        _scratch = DeterministicReduction.NewBuffers(shards, data.Dimension);

        _shardLoss = new double[shards];
        _parallelOptions = new ParallelOptions { MaxDegreeOfParallelism = parallelism };
        _runShard = k => EvaluateShard(_batchParameters, _batchOrder, _batchStart, _batchCount, _batchShards, k);
    }

    /// <summary>Writes the mean gradient of examples <c>order[start..start+count)</c> into <paramref name="gradient"/> and returns their mean loss.</summary>
    public double Evaluate(double[] parameters, int[] order, int start, int count, Span<double> gradient)
    {
        int shards = Math.Min(count, MaxShards);
        (_batchParameters, _batchOrder, _batchStart, _batchCount, _batchShards) = (parameters, order, start, count, shards);
        DeterministicReduction.Run(shards, _parallelOptions, _runShard);
        double loss = DeterministicReduction.PairwiseSum(_shardLoss, shards);
        DeterministicReduction.PairwiseSum(_shardGradient, shards, gradient, _parallelOptions);
        for (int i = 0; i < gradient.Length; i++)
        {
            gradient[i] /= count;
        }

        return loss / count;
    }

    private void EvaluateShard(double[] parameters, int[] order, int start, int count, int shards, int k)
    {
        int lo = start + (int)((long)k * count / shards);
        int hi = start + (int)((long)(k + 1) * count / shards);
        var sum = _shardGradient[k].AsSpan(0, _data.Dimension);
        var scratch = _scratch[k].AsSpan(0, _data.Dimension);
        sum.Clear();
        double loss = 0;
        for (int j = lo; j < hi; j++)
        {
            scratch.Clear();
            loss += _data.Loss(parameters, order[j], scratch);
            for (int i = 0; i < sum.Length; i++)
            {
                sum[i] += scratch[i];
            }
        }

        _shardLoss[k] = loss;
    }
}

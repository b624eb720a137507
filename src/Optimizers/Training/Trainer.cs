using System.Diagnostics;

namespace SymbolicGrad.Optimizers;

/// <summary>
/// The training loop: walks a first-order <see cref="Optimizer"/> over <see cref="TrainingData"/> in full batches,
/// single examples or mini-batches, with schedules, clipping, stopping rules and divergence detection.
/// </summary>
/// <remarks>
/// <para>Per step: evaluate the batch (mean loss, mean gradient); stop as <see cref="StopReason.Diverged"/> if either is
/// not finite; stop on the gradient tolerance; clip; let the schedule set the learning rate for this update (from the
/// optimizer's step count, or the number of completed epochs with <see cref="ScheduleUnit.Epoch"/>); update. The loop
/// applies the schedule itself, so there is no call order to get wrong. Per epoch:
/// the plateau reducer, the plateau rule and early stopping look at the epoch's mean batch loss and the validation loss.</para>
/// <para>A run never returns non-finite parameters silently: after divergence it returns the last parameters whose loss
/// and gradient were finite, with <see cref="StopReason.Diverged"/>.</para>
/// </remarks>
public static class Trainer
{
    /// <summary>Minimizes a single objective with <paramref name="optimizer"/> (every epoch is one full-batch step).</summary>
    /// <example><c>Trainer.Minimize(Model.LossObjective(xs, ys), [0.0, 0.0], new Adam(0.05), new() { MaxEpochs = 500 })</c></example>
    public static OptimizationResult Minimize(
        DifferentiableFunction function,
        ReadOnlySpan<double> initialParameters,
        Optimizer optimizer,
        TrainingOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Train(TrainingData.FromFunction(function), initialParameters, optimizer, options, cancellationToken);

    /// <summary>Trains on <paramref name="data"/> from <paramref name="initialParameters"/> (which are not modified).</summary>
    /// <exception cref="ArgumentException">The dimensions disagree, or the options cannot form a batch.</exception>
    public static OptimizationResult Train(
        TrainingData data,
        ReadOnlySpan<double> initialParameters,
        Optimizer optimizer,
        TrainingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(optimizer);
        options ??= new TrainingOptions();
        Validate(data, initialParameters, options);

        var clock = Stopwatch.StartNew();
        int n = data.Count;
        int dim = data.Dimension;
        int batchSize = Math.Min(options.Batching.Size ?? n, n);
        bool fullBatch = batchSize == n;
        if (options.Batching.DropLast && options.Batching.Size > n)
        {
            throw new ArgumentException(
                $"Batches of {options.Batching.Size} with the last incomplete batch dropped leave nothing of {n} examples.", nameof(options));
        }

        int batchesPerEpoch = options.Batching.DropLast ? n / batchSize : (n + batchSize - 1) / batchSize;

        var p = initialParameters.ToArray();
        var lastGood = (double[])p.Clone();
        var gradient = new double[dim];
        var order = Enumerable.Range(0, n).ToArray();
        var random = options.ShuffleSeed is int seed ? new Random(seed) : null;
        var evaluator = new BatchEvaluator(data, n, options.MaxDegreeOfParallelism); // sized for the final full pass
        var losses = new List<double>();
        var epochLosses = new List<double>();
        var reducer = options.ReduceOnPlateau;

        long steps = 0, gradientEvaluations = 0, valueEvaluations = 0;
        double bestTracked = double.PositiveInfinity;
        double firstTracked = double.PositiveInfinity;
        double plateauBest = double.PositiveInfinity;
        int plateauBad = 0;
        double bestValidation = double.PositiveInfinity;
        double[]? bestParameters = null;
        int validationBad = 0;
        double lastLoss = double.NaN;
        int epoch = 0;
        StopReason reason = StopReason.MaxEpochs;

        if (options.EarlyStopping is { } early)
        {
            bestValidation = early.ValidationLoss(p);
            valueEvaluations++;
            if (double.IsNaN(bestValidation))
            {
                // No validation loss at the start (0/0, log of a negative...): every later loss compares false with NaN,
                // so the run early-stopped after the patience and handed back the untrained start as the best parameters.
                bestValidation = double.PositiveInfinity;
            }

            bestParameters = (double[])p.Clone();
        }

        for (epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            if (random is not null)
            {
                random.Shuffle(order);
            }

            double epochSum = 0;
            int epochBatches = 0;
            for (int b = 0; b < batchesPerEpoch; b++)
            {
                if (steps >= options.MaxSteps)
                {
                    reason = StopReason.MaxSteps;
                    goto Done;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    reason = StopReason.Cancelled;
                    goto Done;
                }

                int start = b * batchSize;
                int count = Math.Min(batchSize, n - start);
                double loss = evaluator.Evaluate(p, order, start, count, gradient);
                gradientEvaluations += count;
                if (!double.IsFinite(loss) || !AllFinite(gradient))
                {
                    reason = StopReason.Diverged;
                    p = lastGood;
                    goto Done;
                }

                losses.Add(loss);
                lastLoss = loss;
                if (fullBatch)
                {
                    if (Grew(loss, bestTracked, firstTracked, options.DivergenceFactor))
                    {
                        reason = StopReason.Diverged;
                        p = lastGood;
                        goto Done;
                    }

                    if (steps == 0)
                    {
                        firstTracked = loss;
                    }

                    bestTracked = Math.Min(bestTracked, loss);
                }

                Array.Copy(p, lastGood, dim);
                if (GradientClipping.Norm(gradient) <= options.GradientTolerance)
                {
                    reason = StopReason.GradientTolerance;
                    goto Done;
                }

                options.Clip?.Apply(gradient);

                // The rates for this update are set here, before the step (PyTorch sets them at construction and in
                // scheduler.step() after each update: the same rates).
                if (options.Schedule is not null)
                {
                    options.Schedule.Apply(optimizer, options.ScheduleUnit == ScheduleUnit.Epoch ? epoch - 1 : optimizer.StepCount);
                }
                else if (reducer is not null)
                {
                    ApplyReducer(optimizer, reducer);
                }

                optimizer.Step(p, gradient);
                steps++;
                epochSum += loss;
                epochBatches++;
                if (!AllFinite(p))
                {
                    reason = StopReason.Diverged;
                    p = lastGood;
                    goto Done;
                }

                if (options.ProgressInterval > 0 && options.Progress is not null && steps % options.ProgressInterval == 0)
                {
                    options.Progress(new TrainingProgress(steps, epoch, loss, optimizer.LearningRate, clock.Elapsed));
                }
            }

            double epochLoss = epochSum / epochBatches;
            epochLosses.Add(epochLoss);
            if (!fullBatch)
            {
                if (Grew(epochLoss, bestTracked, firstTracked, options.DivergenceFactor))
                {
                    reason = StopReason.Diverged;
                    p = lastGood;
                    goto Done;
                }

                if (epochLosses.Count == 1)
                {
                    firstTracked = epochLoss;
                }

                bestTracked = Math.Min(bestTracked, epochLoss);
            }

            double? validation = null;
            if (options.EarlyStopping is { } stopping)
            {
                double v = stopping.ValidationLoss(p);
                valueEvaluations++;
                validation = v;
                if (v < bestValidation - stopping.MinDelta)
                {
                    bestValidation = v;
                    Array.Copy(p, bestParameters!, dim);
                    validationBad = 0;
                }
                else if (++validationBad >= stopping.Patience)
                {
                    reason = StopReason.EarlyStopped;
                    goto Done;
                }
            }

            reducer?.Report(validation ?? epochLoss);

            if (options.Plateau is { } plateau)
            {
                if (epochLoss < plateauBest - plateau.MinDelta)
                {
                    plateauBest = epochLoss;
                    plateauBad = 0;
                }
                else if (++plateauBad >= plateau.Patience)
                {
                    reason = StopReason.Plateau;
                    goto Done;
                }
            }
        }

        epoch = options.MaxEpochs;

    Done:
        if (bestParameters is not null && reason != StopReason.Diverged)
        {
            p = bestParameters;
        }

        double finalLoss = evaluator.Evaluate(p, Enumerable.Range(0, n).ToArray(), 0, n, gradient);
        gradientEvaluations += n;
        if (!double.IsFinite(finalLoss) && reason != StopReason.Diverged)
        {
            // The last update landed somewhere the loss is not finite: report it and step back.
            reason = StopReason.Diverged;
            p = lastGood;
            finalLoss = evaluator.Evaluate(p, Enumerable.Range(0, n).ToArray(), 0, n, gradient);
            gradientEvaluations += n;
        }

        if (options.Progress is not null && options.ProgressInterval > 0 && steps % options.ProgressInterval != 0)
        {
            options.Progress(new TrainingProgress(steps, Math.Min(epoch, options.MaxEpochs), lastLoss, optimizer.LearningRate, clock.Elapsed));
        }

        return new OptimizationResult
        {
            Parameters = p,
            Loss = finalLoss,
            LossHistory = losses,
            EpochLosses = epochLosses,
            StopReason = reason,
            Steps = steps,
            Epochs = Math.Min(epoch, options.MaxEpochs),
            GradientEvaluations = gradientEvaluations,
            ValueEvaluations = valueEvaluations,
            WallTime = clock.Elapsed,
        };
    }

    /// <summary>
    /// Sets the plateau reducer's rate: the optimizer's own, and for groups with a rate of their own that rate scaled by
    /// the same ratio (PyTorch multiplies every group's rate by the factor).
    /// </summary>
    private static void ApplyReducer(Optimizer optimizer, ReduceLearningRateOnPlateau reducer)
    {
        optimizer.LearningRate = reducer.LearningRate;
        double ratio = reducer.InitialLearningRate > 0 ? reducer.LearningRate / reducer.InitialLearningRate : 1;
        var groups = optimizer.Groups;
        for (int i = 0; i < groups.Count; i++)
        {
            if (groups[i].Definition.LearningRate is double initial)
            {
                groups[i].LearningRate = initial * ratio;
            }
        }
    }

    /// <summary>
    /// Growth past the factor: loss − best &gt; (factor − 1)·|best|, and also above the first tracked loss, so that a
    /// loss bouncing between 1e-20 and 1e-12 near a minimum is not mistaken for divergence.
    /// </summary>
    internal static bool Grew(double loss, double best, double first, double factor) =>
        double.IsFinite(best) && loss > first && loss - best > (factor - 1) * Math.Abs(best);

    internal static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    private static void Validate(TrainingData data, ReadOnlySpan<double> initialParameters, TrainingOptions options)
    {
        if (initialParameters.Length != data.Dimension)
        {
            throw new ArgumentException(
                $"The data has {data.Dimension} parameters but initialParameters has length {initialParameters.Length}.", nameof(initialParameters));
        }

        if (!AllFinite(initialParameters))
        {
            throw new ArgumentException("initialParameters holds a NaN or an infinity.", nameof(initialParameters));
        }

        ArgumentNullException.ThrowIfNull(options.Batching, "options.Batching");
        Guard.AtLeast(options.MaxEpochs, 1, "options.MaxEpochs");
        if (options.MaxSteps is long maxSteps)
        {
            Guard.AtLeast(maxSteps, 0, "options.MaxSteps");
        }

        Guard.NonNegative(options.GradientTolerance, "options.GradientTolerance");
        if (!(options.DivergenceFactor > 1))
        {
            throw new ArgumentOutOfRangeException("options.DivergenceFactor", options.DivergenceFactor, "DivergenceFactor must be > 1 (or +∞).");
        }

        Guard.AtLeast(options.MaxDegreeOfParallelism, 1, "options.MaxDegreeOfParallelism");
        Guard.AtLeast(options.ProgressInterval, 0, "options.ProgressInterval");
        if (options.Plateau is { } plateau)
        {
            Guard.AtLeast(plateau.Patience, 1, "options.Plateau.Patience");
            Guard.NonNegative(plateau.MinDelta, "options.Plateau.MinDelta");
        }

        if (options.EarlyStopping is { } early)
        {
            ArgumentNullException.ThrowIfNull(early.ValidationLoss, "options.EarlyStopping.ValidationLoss");
            Guard.AtLeast(early.Patience, 1, "options.EarlyStopping.Patience");
            Guard.NonNegative(early.MinDelta, "options.EarlyStopping.MinDelta");
        }

        if (!Enum.IsDefined(options.ScheduleUnit))
        {
            throw new ArgumentOutOfRangeException("options.ScheduleUnit", options.ScheduleUnit, "Unknown schedule unit.");
        }

        if (options.Schedule is not null && options.ReduceOnPlateau is not null)
        {
            throw new ArgumentException("Use either a Schedule or ReduceOnPlateau, not both.", nameof(options));
        }
    }
}

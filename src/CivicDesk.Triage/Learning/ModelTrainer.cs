using System.Globalization;
using System.Runtime.Intrinsics;

namespace CivicDesk.Triage.Learning;

/// <summary>What one training run did.</summary>
/// <param name="Settings">The settings.</param>
/// <param name="BestEpoch">The epoch kept (1-based).</param>
/// <param name="EpochsRun">Epochs run before early stopping.</param>
/// <param name="DevScore">Dev selection score of the float weights at the best epoch.</param>
/// <param name="Seconds">Wall time of the run.</param>
public sealed record TrainingRun(TrainingSettings Settings, int BestEpoch, int EpochsRun, double DevScore, double Seconds);

/// <summary>A trained model with its dev report and the runs that led to it.</summary>
/// <param name="Model">The model, quantised and calibrated as saved.</param>
/// <param name="Dev">Dev report of that model.</param>
/// <param name="Runs">Every run (one, or one per settings in a search), in order.</param>
public sealed record TrainingResult(LinearTriageModel Model, ClassificationReport Dev, IReadOnlyList<TrainingRun> Runs);

/// <summary>
/// Trains <see cref="LinearTriageModel"/>s: multinomial logistic regression on hashed sparse features, mini-batch
/// AdaGrad (Duchi, Hazan and Singer 2011) with lazy L2, class weighting for imbalance, early stopping on dev;
/// then int8 quantisation, temperature scaling fitted on dev (Guo et al. 2017) and a low-confidence threshold
/// chosen on dev. Single-threaded and deterministic for a seed. Test data never passes through here.
/// </summary>
public static class ModelTrainer
{
    /// <summary>Trains one model with fixed settings.</summary>
    /// <param name="task">Task name stored in the model.</param>
    /// <param name="train">Training examples.</param>
    /// <param name="dev">Dev examples (early stopping, calibration, threshold).</param>
    /// <param name="settings">Settings.</param>
    /// <param name="log">Progress lines, or null.</param>
    /// <returns>The model and its dev report.</returns>
    public static TrainingResult Train(string task, IReadOnlyList<LabelledText> train, IReadOnlyList<LabelledText> dev, TrainingSettings settings,
        Action<string>? log = null) => Search(task, train, dev, [settings], log);

    /// <summary>
    /// Trains one model per settings (sharing featurised data between settings with equal <see cref="FeatureSettings"/>)
    /// and keeps the one with the best dev score; ties go to the earlier settings.
    /// </summary>
    /// <param name="task">Task name stored in the model.</param>
    /// <param name="train">Training examples.</param>
    /// <param name="dev">Dev examples.</param>
    /// <param name="grid">Settings to try; all must use the same selection metric.</param>
    /// <param name="log">Progress lines, or null.</param>
    /// <returns>The best model, its dev report and all runs.</returns>
    public static TrainingResult Search(string task, IReadOnlyList<LabelledText> train, IReadOnlyList<LabelledText> dev,
        IReadOnlyList<TrainingSettings> grid, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(dev);
        ArgumentNullException.ThrowIfNull(grid);
        if (grid.Count == 0)
        {
            throw new ArgumentException("No settings to train with.", nameof(grid));
        }

        var labels = train.Select(r => r.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
        var unknown = dev.Select(r => r.Label).FirstOrDefault(l => !index.ContainsKey(l));
        if (unknown is not null)
        {
            throw new InvalidDataException($"Dev label '{unknown}' does not occur in train.");
        }

        if (labels.Length < 2)
        {
            throw new InvalidDataException("Train needs at least two labels.");
        }

        var devLabels = dev.Select(r => index[r.Label]).ToArray();
        var runs = new List<TrainingRun>();
        (TrainingSettings Settings, float[] Weights, float[] Bias, double Score, int Epoch, int TrainRows)? best = null;
        foreach (var group in grid.GroupBy(s => (s.Features, s.DeduplicateTrain)))
        {
            var rows = group.Key.DeduplicateTrain ? Deduplicate(train) : train;
            var started = DateTime.UtcNow;
            var trainSet = SparseDataset.Build(group.Key.Features, [.. rows.Select(r => r.Text)], [.. rows.Select(r => index[r.Label])]);
            var devSet = SparseDataset.Build(group.Key.Features, [.. dev.Select(r => r.Text)], devLabels);
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"featurised {group.Key.Features.Describe()} dedupe={group.Key.DeduplicateTrain}: {trainSet.Rows} train rows, {trainSet.Values.Length / (double)trainSet.Rows:F0} features/row, {(DateTime.UtcNow - started).TotalSeconds:F1}s"));
            foreach (var settings in group)
            {
                started = DateTime.UtcNow;
                var (weights, bias, score, epoch, epochsRun) = Fit(trainSet, devSet, labels, settings, log);
                if (settings.SeedAverage > 1)
                {
                    for (var extra = 1; extra < settings.SeedAverage; extra++)
                    {
                        var other = Fit(trainSet, devSet, labels, settings with { Seed = settings.Seed + extra }, log);
                        for (var i = 0; i < weights.Length; i++)
                        {
                            weights[i] += other.Weights[i];
                        }

                        for (var c = 0; c < bias.Length; c++)
                        {
                            bias[c] += other.Bias[c];
                        }

                        epoch += other.Epoch;
                        epochsRun += other.EpochsRun;
                    }

                    var scale = 1f / settings.SeedAverage;
                    for (var i = 0; i < weights.Length; i++)
                    {
                        weights[i] *= scale;
                    }

                    for (var c = 0; c < bias.Length; c++)
                    {
                        bias[c] *= scale;
                    }

                    epoch = (int)Math.Round(epoch / (double)settings.SeedAverage);
                    score = Evaluate(devSet, weights, bias, labels).Score(settings.Selection);
                }

                var run = new TrainingRun(settings, epoch, epochsRun, score, (DateTime.UtcNow - started).TotalSeconds);
                runs.Add(run);
                log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"run {runs.Count}/{grid.Count}: dev {settings.Selection} {score:F4} at epoch {epoch}/{epochsRun} ({run.Seconds:F1}s) — {settings.Describe()}"));
                if (best is null || score > best.Value.Score)
                {
                    best = (settings, weights, bias, score, epoch, rows.Count);
                }
            }
        }

        var chosen = best!.Value;
        var model = Finish(task, labels, chosen.Settings, chosen.Weights, chosen.Bias, chosen.Epoch, chosen.TrainRows, dev, devLabels, out var report);
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"kept: {chosen.Settings.Describe()}; saved model dev accuracy {report.Accuracy:F4} macro-F1 {report.MacroF1:F4} macro-recall {report.MacroRecall:F4}; T={model.Temperature:F3}, low-confidence below {model.LowConfidenceThreshold:F3}"));
        return new TrainingResult(model, report, runs);
    }

    private static List<LabelledText> Deduplicate(IReadOnlyList<LabelledText> rows)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<LabelledText>(rows.Count);
        foreach (var row in rows)
        {
            if (seen.Add(string.Join(' ', SocialTextNormaliser.Tokenise(row.Text))))
            {
                kept.Add(row);
            }
        }

        return kept;
    }

    /// <summary>
    /// Mini-batch AdaGrad with early stopping; returns the best epoch's weights (buckets+dense rows × k, row-major) and biases.
    /// Internally each row is padded to a multiple of 8 classes so the per-class loops run on 256-bit vectors.
    /// </summary>
    private static (float[] Weights, float[] Bias, double Score, int Epoch, int EpochsRun) Fit(SparseDataset train, SparseDataset dev,
        string[] labels, TrainingSettings s, Action<string>? log)
    {
        var k = labels.Length;
        var stride = (k + 7) & ~7;
        var lanes = stride / 8;
        var columns = train.ColumnCount;
        var w = new float[columns * stride];
        var g2 = new float[columns * stride];
        var grad = new float[columns * stride];
        var bias = new float[k];
        var biasG2 = new float[k];
        var biasGrad = new float[k];
        var touched = new int[columns];
        var touchedStamp = new int[columns];
        var stamp = 0;

        var counts = new int[k];
        foreach (var y in train.LabelArray)
        {
            counts[y]++;
        }

        var classWeight = new float[k];
        for (var c = 0; c < k; c++)
        {
            classWeight[c] = counts[c] == 0 ? 0 : (float)Math.Pow(train.Rows / (double)(k * counts[c]), s.ClassWeightPower);
        }

        // Normalise so the average example weight is 1: the learning rate then means the same for any power.
        var meanWeight = train.LabelArray.Average(y => classWeight[y]);
        for (var c = 0; c < k; c++)
        {
            classWeight[c] /= (float)meanWeight;
        }

        var order = Enumerable.Range(0, train.Rows).ToArray();
        var random = new Random(s.Seed);
        var scores = new float[stride];
        var compact = new float[columns * k];
        float[]? bestW = null;
        float[]? bestBias = null;
        var bestScore = double.NegativeInfinity;
        int bestEpoch = 0, epoch = 0, sinceBest = 0;
        var lr = Vector256.Create(s.LearningRate);
        var l2 = Vector256.Create(s.L2);
        var delta = Vector256.Create(1e-6f);
        while (epoch < s.MaxEpochs && sinceBest < s.Patience)
        {
            epoch++;
            random.Shuffle(order);
            for (var start = 0; start < order.Length; start += s.BatchSize)
            {
                var end = Math.Min(order.Length, start + s.BatchSize);
                var batch = end - start;
                stamp++;
                var touchedCount = 0;
                Array.Clear(biasGrad);
                for (var b = start; b < end; b++)
                {
                    var row = order[b];
                    var from = train.RowStart[row];
                    var to = train.RowStart[row + 1];
                    Array.Clear(scores);
                    for (var e = from; e < to; e++)
                    {
                        var offset = train.Columns[e] * stride;
                        var v = Vector256.Create(train.Values[e]);
                        for (var lane = 0; lane < lanes; lane++)
                        {
                            var at = offset + (lane * 8);
                            (Vector256.LoadUnsafe(ref scores[lane * 8]) + (Vector256.LoadUnsafe(ref w[at]) * v)).StoreUnsafe(ref scores[lane * 8]);
                        }
                    }

                    for (var c = 0; c < k; c++)
                    {
                        scores[c] += bias[c];
                    }

                    LinearTriageModel.Softmax(scores.AsSpan(0, k), 1f);
                    var y = train.LabelArray[row];
                    var weight = classWeight[y] / batch;
                    for (var c = 0; c < k; c++)
                    {
                        scores[c] = (scores[c] - (c == y ? 1f : 0f)) * weight;
                        biasGrad[c] += scores[c];
                    }

                    for (var e = from; e < to; e++)
                    {
                        var column = train.Columns[e];
                        var offset = column * stride;
                        var v = Vector256.Create(train.Values[e]);
                        for (var lane = 0; lane < lanes; lane++)
                        {
                            var at = offset + (lane * 8);
                            (Vector256.LoadUnsafe(ref grad[at]) + (Vector256.LoadUnsafe(ref scores[lane * 8]) * v)).StoreUnsafe(ref grad[at]);
                        }

                        if (touchedStamp[column] != stamp)
                        {
                            touchedStamp[column] = stamp;
                            touched[touchedCount++] = column;
                        }
                    }
                }

                for (var t = 0; t < touchedCount; t++)
                {
                    var offset = touched[t] * stride;
                    for (var lane = 0; lane < lanes; lane++)
                    {
                        var at = offset + (lane * 8);
                        var wv = Vector256.LoadUnsafe(ref w[at]);
                        var g = Vector256.LoadUnsafe(ref grad[at]) + (l2 * wv);
                        var acc = Vector256.LoadUnsafe(ref g2[at]) + (g * g);
                        acc.StoreUnsafe(ref g2[at]);
                        (wv - (lr * g / Vector256.Sqrt(acc + delta))).StoreUnsafe(ref w[at]);
                        Vector256<float>.Zero.StoreUnsafe(ref grad[at]);
                    }
                }

                for (var c = 0; c < k; c++)
                {
                    var g = biasGrad[c];
                    biasG2[c] += g * g;
                    bias[c] -= s.LearningRate * g / MathF.Sqrt(biasG2[c] + 1e-6f);
                }
            }

            for (var j = 0; j < columns; j++)
            {
                Array.Copy(w, j * stride, compact, j * k, k);
            }

            var score = Evaluate(dev, compact, bias, labels).Score(s.Selection);
            log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"  epoch {epoch}: dev {s.Selection} {score:F4}"));
            if (score > bestScore + 1e-9)
            {
                bestScore = score;
                bestEpoch = epoch;
                sinceBest = 0;
                bestW = (float[])compact.Clone();
                bestBias = (float[])bias.Clone();
            }
            else
            {
                sinceBest++;
            }
        }

        return (bestW!, bestBias!, bestScore, bestEpoch, epoch);
    }

    /// <summary>Dev report of float weights (arg-max only: no calibration needed).</summary>
    private static ClassificationReport Evaluate(SparseDataset data, float[] w, float[] bias, string[] labels)
    {
        var k = labels.Length;
        var predicted = new int[data.Rows];
        var scores = new float[k];
        for (var row = 0; row < data.Rows; row++)
        {
            Array.Copy(bias, scores, k);
            for (var e = data.RowStart[row]; e < data.RowStart[row + 1]; e++)
            {
                var offset = data.Columns[e] * k;
                var v = data.Values[e];
                for (var c = 0; c < k; c++)
                {
                    scores[c] += w[offset + c] * v;
                }
            }

            var best = 0;
            for (var c = 1; c < k; c++)
            {
                if (scores[c] > scores[best])
                {
                    best = c;
                }
            }

            predicted[row] = best;
        }

        return ClassificationReport.Compute(labels, data.LabelArray, predicted);
    }

    /// <summary>Quantises, fits the temperature and the low-confidence threshold on dev, and scores the saved model on dev.</summary>
    private static LinearTriageModel Finish(string task, string[] labels, TrainingSettings settings, float[] weights, float[] bias, int epoch,
        int trainRows, IReadOnlyList<LabelledText> dev, int[] devLabels, out ClassificationReport report)
    {
        var k = labels.Length;
        var draft = LinearTriageModel.Quantise(task, labels, settings.Features, weights, bias, 1f, 0f, new ModelInfo());
        var logits = new float[dev.Count * k];
        var features = new HashedFeatures();
        for (var i = 0; i < dev.Count; i++)
        {
            draft.Extractor.Extract(dev[i].Text, features);
            draft.ComputeLogits(features, logits.AsSpan(i * k, k));
        }

        var nllBefore = NegativeLogLikelihood(logits, devLabels, k, 1f);
        var temperature = FitTemperature(logits, devLabels, k);
        var nllAfter = NegativeLogLikelihood(logits, devLabels, k, temperature);

        var predicted = new int[dev.Count];
        var confidence = new float[dev.Count];
        var p = new float[k];
        for (var i = 0; i < dev.Count; i++)
        {
            logits.AsSpan(i * k, k).CopyTo(p);
            predicted[i] = LinearTriageModel.Softmax(p, temperature);
            confidence[i] = p[predicted[i]];
        }

        report = ClassificationReport.Compute(labels, devLabels, predicted);
        var (threshold, coverage, confidentAccuracy) = ChooseThreshold(confidence, predicted, devLabels, settings.LowConfidenceTarget);
        var info = new ModelInfo
        {
            CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Training = settings.Describe(),
            TrainRows = trainRows,
            DevRows = dev.Count,
            BestEpoch = epoch,
            DevAccuracy = report.Accuracy,
            DevMacroF1 = report.MacroF1,
            DevMacroRecall = report.MacroRecall,
            LowConfidenceTarget = settings.LowConfidenceTarget,
            DevCoverage = coverage,
            DevConfidentAccuracy = confidentAccuracy,
            DevNll = string.Create(CultureInfo.InvariantCulture, $"{nllBefore:F4} -> {nllAfter:F4}"),
        };
        return draft.With(temperature, threshold, info);
    }

    /// <summary>Mean negative log-likelihood of gold labels under softmax(logits / T).</summary>
    internal static double NegativeLogLikelihood(float[] logits, int[] gold, int k, float temperature)
    {
        double total = 0;
        for (var i = 0; i < gold.Length; i++)
        {
            var row = logits.AsSpan(i * k, k);
            var max = float.NegativeInfinity;
            foreach (var z in row)
            {
                max = Math.Max(max, z);
            }

            double sum = 0;
            foreach (var z in row)
            {
                sum += Math.Exp((z - max) / temperature);
            }

            total -= ((row[gold[i]] - max) / temperature) - Math.Log(sum);
        }

        return total / Math.Max(1, gold.Length);
    }

    /// <summary>Golden-section search for the temperature in [0.05, 20] that minimises dev NLL (convex in 1/T).</summary>
    internal static float FitTemperature(float[] logits, int[] gold, int k)
    {
        double lo = Math.Log(0.05), hi = Math.Log(20);
        var phi = (Math.Sqrt(5) - 1) / 2;
        double a = hi - (phi * (hi - lo)), b = lo + (phi * (hi - lo));
        var fa = NegativeLogLikelihood(logits, gold, k, (float)Math.Exp(a));
        var fb = NegativeLogLikelihood(logits, gold, k, (float)Math.Exp(b));
        for (var iteration = 0; iteration < 60; iteration++)
        {
            if (fa < fb)
            {
                hi = b;
                b = a;
                fb = fa;
                a = hi - (phi * (hi - lo));
                fa = NegativeLogLikelihood(logits, gold, k, (float)Math.Exp(a));
            }
            else
            {
                lo = a;
                a = b;
                fa = fb;
                b = lo + (phi * (hi - lo));
                fb = NegativeLogLikelihood(logits, gold, k, (float)Math.Exp(b));
            }
        }

        return (float)Math.Exp((lo + hi) / 2);
    }

    /// <summary>
    /// The lowest confidence t such that dev predictions with confidence ≥ t are at least <paramref name="target"/> accurate
    /// (the largest such set); 1 when no set reaches the target. Returns t, the share of dev at or above it, and its accuracy.
    /// </summary>
    internal static (float Threshold, double Coverage, double Accuracy) ChooseThreshold(float[] confidence, int[] predicted, int[] gold, double target)
    {
        var order = Enumerable.Range(0, confidence.Length).OrderByDescending(i => confidence[i]).ToArray();
        int correct = 0, bestCount = 0, bestCorrect = 0;
        for (var n = 0; n < order.Length; n++)
        {
            var i = order[n];
            correct += predicted[i] == gold[i] ? 1 : 0;
            // only cut between distinct confidences, so the threshold splits the set exactly
            var boundary = n == order.Length - 1 || confidence[order[n + 1]] < confidence[i];
            if (boundary && correct >= target * (n + 1))
            {
                bestCount = n + 1;
                bestCorrect = correct;
            }
        }

        if (bestCount == 0)
        {
            return (1f, 0, 0);
        }

        return (confidence[order[bestCount - 1]], bestCount / (double)order.Length, bestCorrect / (double)bestCount);
    }
}

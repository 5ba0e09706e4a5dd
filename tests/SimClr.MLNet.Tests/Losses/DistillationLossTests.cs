using SimClr.MLNet.Losses;
using SimClr.MLNet.Runtime;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Losses;

public class DistillationLossTests
{
    public DistillationLossTests() => TorchRuntime.EnsureInitialized();

    // 3 rows x 4 classes, chosen by hand: a confident row, a flat row and one whose teacher and student disagree.
    static readonly double[,] Student = { { 2.0, -1.0, 0.5, 0.0 }, { 0.1, 0.2, -0.3, 0.05 }, { -1.5, 3.0, 0.0, 1.0 } };
    static readonly double[,] Teacher = { { 3.0, 0.0, -1.0, 0.5 }, { 0.0, 0.0, 0.0, 0.0 }, { 2.0, -0.5, 1.0, -2.0 } };

    static double[] Softmax(double[,] logits, int row, double t)
    {
        int c = logits.GetLength(1);
        var scaled = Enumerable.Range(0, c).Select(j => logits[row, j] / t).ToArray();
        double max = scaled.Max();
        var exp = scaled.Select(v => Math.Exp(v - max)).ToArray();
        double sum = exp.Sum();
        return exp.Select(v => v / sum).ToArray();
    }

    /// <summary>SimCLRv2's eq. 2 written out with doubles: mean over rows of -sum_c p_c log q_c, p and q softened by T.</summary>
    static double ExplicitLoss(double[,] student, double[,] teacher, double t)
    {
        int n = student.GetLength(0);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var p = Softmax(teacher, i, t);
            var q = Softmax(student, i, t);
            for (int j = 0; j < p.Length; j++)
                total -= p[j] * Math.Log(q[j]);
        }
        return total / n;
    }

    static Tensor ToTensor(double[,] values, bool requiresGrad = false)
        => tensor(values.Cast<double>().Select(v => (float)v).ToArray(), new long[] { values.GetLength(0), values.GetLength(1) }, requires_grad: requiresGrad);

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.5)]
    public void MatchesAnExplicitLoop(double temperature)
    {
        using var scope = NewDisposeScope();
        var probabilities = DistillationLoss.TeacherProbabilities(ToTensor(Teacher), temperature);
        double value = DistillationLoss.Compute(ToTensor(Student), probabilities, temperature).item<float>();

        Assert.Equal(ExplicitLoss(Student, Teacher, temperature), value, 5);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                Assert.Equal(Softmax(Teacher, i, temperature)[j], probabilities[i, j].item<float>(), 6);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.5)]
    public void GradientIsTheDifferenceOfTheSoftenedDistributions(double temperature)
    {
        using var scope = NewDisposeScope();
        var student = ToTensor(Student, requiresGrad: true);
        var probabilities = DistillationLoss.TeacherProbabilities(ToTensor(Teacher), temperature);

        DistillationLoss.Compute(student, probabilities, temperature).backward();

        // d/ds of (1/N) sum_i -sum_c p_ic log softmax(s_i / T)_c = (softmax(s_i / T) - p_i) / (T N)
        int n = Student.GetLength(0);
        for (int i = 0; i < n; i++)
        {
            var q = Softmax(Student, i, temperature);
            var p = Softmax(Teacher, i, temperature);
            for (int j = 0; j < q.Length; j++)
                Assert.Equal((q[j] - p[j]) / (temperature * n), student.grad![i, j].item<float>(), 6);
        }
    }

    [Fact]
    public void TheTemperatureChangesTheLoss()
    {
        using var scope = NewDisposeScope();
        double Loss(double t) => DistillationLoss.Compute(ToTensor(Student), DistillationLoss.TeacherProbabilities(ToTensor(Teacher), t), t).item<float>();

        // Far apart, and each equal to its own explicit value: a loss that ignored T would give ExplicitLoss(.., 1) twice.
        Assert.True(Math.Abs(ExplicitLoss(Student, Teacher, 1) - ExplicitLoss(Student, Teacher, 4)) > 0.1);
        Assert.Equal(ExplicitLoss(Student, Teacher, 4), Loss(4), 5);
        Assert.Equal(ExplicitLoss(Student, Teacher, 1), Loss(1), 5);
        // Softening the teacher alone also shows: hotter targets are flatter.
        var sharp = DistillationLoss.TeacherProbabilities(ToTensor(Teacher), 1).max().item<float>();
        var soft = DistillationLoss.TeacherProbabilities(ToTensor(Teacher), 4).max().item<float>();
        Assert.True(soft < sharp - 0.2, $"max probability {sharp} at T=1, {soft} at T=4");
    }

    [Fact]
    public void ItIsMinimalWhereTheStudentMatchesTheTeacher()
    {
        using var scope = NewDisposeScope();
        var probabilities = DistillationLoss.TeacherProbabilities(ToTensor(Teacher), 2);
        double matched = DistillationLoss.Compute(ToTensor(Teacher), probabilities, 2).item<float>();
        double other = DistillationLoss.Compute(ToTensor(Student), probabilities, 2).item<float>();
        // At the minimum the loss is the teacher's entropy, below any other student's.
        double entropy = Enumerable.Range(0, 3).Sum(i => -Softmax(Teacher, i, 2).Sum(p => p * Math.Log(p))) / 3;
        Assert.Equal(entropy, matched, 5);
        Assert.True(other > matched + 0.01);
    }

    /// <summary>
    /// FixMatch's unlabelled loss written out: rows whose top teacher probability reaches the threshold count with
    /// -log q of that class, the others with 0, and the sum is divided by all N rows.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public void PseudoLabelsKeepOnlyConfidentRowsAsOneHotTargets(double threshold)
    {
        using var scope = NewDisposeScope();
        var probabilities = DistillationLoss.TeacherProbabilities(ToTensor(Teacher), 1);
        var labels = DistillationLoss.PseudoLabels(probabilities, threshold);

        int n = Teacher.GetLength(0), c = Teacher.GetLength(1);
        double expected = 0;
        for (int i = 0; i < n; i++)
        {
            var p = Softmax(Teacher, i, 1);
            int top = Array.IndexOf(p, p.Max());
            bool kept = p[top] >= threshold;
            for (int j = 0; j < c; j++)
                Assert.Equal(kept && j == top ? 1f : 0f, labels[i, j].item<float>());
            if (kept)
                expected -= Math.Log(Softmax(Student, i, 1)[top]);
        }
        expected /= n;
        Assert.Equal(expected, DistillationLoss.Compute(ToTensor(Student), labels, 1).item<float>(), 5);
        // The hand-picked rows make the thresholds differ: all three kept at 0, the flat row dropped at 0.5, all dropped at 0.99.
        int keptRows = (int)labels.sum().item<float>();
        Assert.Equal(threshold switch { 0.0 => 3, 0.5 => 2, _ => 0 }, keptRows);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        using var scope = NewDisposeScope();
        var logits = ToTensor(Student);
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLoss.TeacherProbabilities(logits, 0)).ParamName);
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLoss.Compute(logits, logits.softmax(1), -1)).ParamName);
        Assert.Equal("teacherProbabilities", Assert.Throws<ArgumentException>(() => DistillationLoss.Compute(logits, ones(3, 5), 1)).ParamName);
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLoss.PseudoLabels(logits.softmax(1), 1.5)).ParamName);
    }
}

using Quickstart;
double v = Losses.LossGradient(1, 2, out double dW, out double dB);
Console.WriteLine($"{v} {dW} {dB}");

import time, torch
F=torch.nn.functional
def bench(f, n=10):
    f(); t=time.perf_counter()
    for _ in range(n): f()
    return (time.perf_counter()-t)/n*1000
for M in [8000, 2000, 500]:
  for K,N in [(384,1152),(1536,384)]:
    x=torch.randn(M,K).bfloat16(); w=torch.randn(N,K).bfloat16(); b=torch.randn(N).bfloat16()
    x3=x.view(M//100,100,K)
    with torch.inference_mode():
        r={"nobias":bench(lambda: F.linear(x,w)),"bias":bench(lambda: F.linear(x,w,b)),"3d bias":bench(lambda: F.linear(x3,w,b))}
    g=2*M*K*N/1e9
    print(M,K,N,{k:f"{v:.1f}ms {g/v*1000:.0f}GF/s" for k,v in r.items()})

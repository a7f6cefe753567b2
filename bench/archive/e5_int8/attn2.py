import time, torch
from torch.nn.attention import sdpa_kernel, SDPBackend
torch.manual_seed(0)
def bench(f, n=5):
    f(); t=time.perf_counter()
    for _ in range(n): f()
    return (time.perf_counter()-t)/n*1000
F=torch.nn.functional
for B,N in [(32,250),(64,120),(200,40)]:
    dt=torch.bfloat16
    q,k,v=[torch.randn(B,12,N,32,dtype=dt) for _ in range(3)]
    lengths = torch.randint(N//2,N+1,(B,)); lengths[0]=N
    mask = torch.arange(N)[None,:] < lengths[:,None]
    bias = ((~mask)[:,None,None,:].to(dt))*torch.finfo(dt).min
    bias32=bias.float().expand(B,12,1,N).reshape(B*12,1,N)
    def flash(): return F.scaled_dot_product_attention(q,k,v,attn_mask=bias)
    def math():
        with sdpa_kernel(SDPBackend.MATH): return F.scaled_dot_product_attention(q,k,v,attn_mask=bias)
    def bmm32():
        qq=q.reshape(B*12,N,32); kk=k.reshape(B*12,N,32); vv=v.reshape(B*12,N,32)
        s=torch.bmm(qq,kk.transpose(1,2)).float().mul_(32**-0.5).add_(bias32)
        return torch.bmm(s.softmax(-1).to(dt), vv)
    def bmm16():
        qq=q.reshape(B*12,N,32)*(32**-0.5); kk=k.reshape(B*12,N,32); vv=v.reshape(B*12,N,32)
        s=torch.baddbmm(bias.expand(B,12,1,N).reshape(B*12,1,N).expand(B*12,N,N), qq,kk.transpose(1,2))
        return torch.bmm(torch.softmax(s,-1,dtype=torch.float32).to(dt), vv)
    with torch.inference_mode():
        res={n: round(bench(f),1) for n,f in [("flash",flash),("math",math),("bmm32",bmm32),("bmm16",bmm16)]}
        ref=flash().float(); 
        err={n:(f().float().reshape(ref.shape)-ref).abs().max().item() for n,f in [("bmm32",bmm32),("bmm16",bmm16)]}
    print(B,N,res,err, "GFLOP", 4*B*12*N*N*32/1e9)

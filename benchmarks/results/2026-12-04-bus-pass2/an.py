import re,collections,subprocess,sys
from datetime import datetime
def ts(s): 
    s=s.strip()
    return s
windows={'w1':('21:47:45.328','21:47:46.082'),'w2':('21:47:50.911','21:47:51.687'),'w3':('21:47:56.256','21:47:57.166')}
thr=collections.Counter(); top=collections.Counter(); comp=[]; deopt=collections.Counter(); leaf=collections.Counter()
for w,(a,b) in windows.items():
    txt=subprocess.run(['jfr','print','--events','jdk.ExecutionSample,jdk.Compilation,jdk.Deoptimization,jdk.GarbageCollection','--stack-depth','6',w+'.jfr'],capture_output=True,text=True).stdout
    for e in re.split(r'\n(?=jdk\.)',txt):
        t=re.search(r'startTime = (\d\d:\d\d:\d\d\.\d+)',e)
        if not t: continue
        tt=t.group(1)
        if not (a<=tt[:12]<b): continue
        if e.startswith('jdk.ExecutionSample'):
            th=re.search(r'sampledThread = "([^"]+)"',e).group(1)
            thr[th]+=1
            st=re.search(r'stackTrace = \[(.*?)\n\s*\]',e,re.S)
            fr=[l.strip() for l in st.group(1).strip().split('\n')] if st else []
            if fr: leaf[(th,re.sub(r'\s+line:.*','',fr[0])[:110])]+=1
        elif e.startswith('jdk.Compilation'):
            m=re.search(r'method = (.*)',e); d=re.search(r'duration = (.*)',e); lv=re.search(r'compileLevel = (\d)',e); sz=re.search(r'codeSize = (.*)',e)
            comp.append((w,tt,d.group(1).strip(),lv.group(1),m.group(1).strip()[:100]))
        elif e.startswith('jdk.Deoptimization'):
            m=re.search(r'method = (.*)',e); r=re.search(r'reason = (.*)',e)
            deopt[(m.group(1).strip()[:90],r.group(1).strip())]+=1
        elif e.startswith('jdk.GarbageCollection'):
            print('GC',w,tt,re.search(r'sumOfPauses = (.*)',e).group(1))
print(thr.most_common(10))
for k,v in leaf.most_common(30): print(v,k)
print('compilations in pass',len(comp))
for c in comp: 
    if c[3]=='4': print(c)
for k,v in deopt.most_common(20): print(v,k)

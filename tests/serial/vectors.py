"""Recorded serial test vectors (devices.md §10). Labels: [manual] = printed in a vendor
manual, [ref] = stated in the reference from a public driver, [derived] = built by us from the
documented rule (parser tests only, not proof of device behaviour)."""

from __future__ import annotations

# [manual] Tanita SC-240 manual p.24 sample record; checksum FD (sum mod 256, [derived] rule).
TANITA_SC240 = (
    b'{0,16,~0,1,~1,1,~2,1,MO,"SC-240",SN,"00000002",Bt,0,GE,1,AG,30,Hm,170,Pt,0.0,'
    b"Wk,82.7,FW,18.6,fW,15.4,MW,67.3,mW,64.0,sW,19,bW,3.3,wW,48.0,ww,58.0,MI,28.6,"
    b"Sw,63.6,OV,30.0,IF,6,rb,8255,rB,1973,rJ,12,rA,28,ZF,369.4,CS,FD\r\n"
)
# [derived] MC-980 style: adds status St, date/time and a segmental field (name unverified).
TANITA_MC980 = (
    b'{0,16,~0,1,~1,1,~2,1,MO,"MC-980",SN,"00001234",ID,"0000000000000042",St,0,'
    b'Da,"04/12/2026",TI,"09:30",Bt,0,GE,2,AG,71,Hm,156,Pt,1.0,Wk,58.4,FW,31.2,'
    b"fW,18.2,MW,40.2,mW,37.9,bW,2.3,wW,29.0,ww,49.7,MI,24.0,rb,4891,rB,1169,"
    b"ZF,512.3,FR,29.8,CS,67\r\n"
)

# [derived] OneTouch Ultra 2 replies built with the documented 16-bit sum.
OTU2_VERSION = b"?P02.00.00 30/08/06 03BC\r"
OTU2_HEADER = b'P 002,"ABC12345Y","MG/DL " 0573\r'
OTU2_RECORD_1 = b'P "WED","12/02/26","08:15:00   ","  104 ","B","00", 00 0994\r'
OTU2_RECORD_CONTROL = b'P "TUE","12/01/26","19:40:10   ","C 131 ","A","03", 00 09C7\r'

# [ref] i-SENS CareSens protocol 3 request frames (devices.md §10, derived there from Tidepool).
CARESENS_RTIM = bytes.fromhex("02 69 53 50 63 07 52 54 49 4D 75 CF 03")
CARESENS_NCOT = bytes.fromhex("02 69 53 50 63 07 4E 43 4F 54 BB 7F 03")
CARESENS_GLUE_1_27 = bytes.fromhex("02 69 53 50 63 0A 47 4C 55 45 00 01 1B EA 31 03")

# [ref] SD CodeFree challenge (meter) and host frames.
SD_CHALLENGE = bytes.fromhex("53 20 04 10 30 20 AA")
SD_ACK = bytes.fromhex("53 10 04 10 40 50 AA")
SD_FETCH = bytes.fromhex("53 10 04 10 60 70 AA")

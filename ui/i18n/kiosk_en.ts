<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="ko">
<context>
    <name>Kiosk</name>
    <message>
        <source>혈압 측정</source>
        <translation>Blood pressure</translation>
    </message>
    <message>
        <source>어서 오세요.
아래의 &apos;새 방문 시작&apos;
버튼을 눌러 주세요.</source>
        <translation>Welcome. Please press &apos;Start visit&apos; below.</translation>
    </message>
    <message>
        <source>혈압계 커프를 팔에 감고
혈압계의 시작 버튼을 눌러 주세요.</source>
        <translation>Wrap the cuff around your arm and press start on the monitor.</translation>
    </message>
    <message>
        <source>등을 기대고 편안히 앉아,
재는 동안에는 말씀하지 마세요.</source>
        <translation>Sit back comfortably and stay quiet while it measures.</translation>
    </message>
    <message>
        <source>커프를 다시 감고, 준비되시면
혈압계의 시작 버튼을 눌러 주세요.</source>
        <translation>Wrap the cuff again and press start on the monitor when ready.</translation>
    </message>
    <message>
        <source>가까운 직원에게 알려 주세요.
편안히 앉아서 잠시 쉬어 주세요.</source>
        <translation>Please tell a staff member nearby, and rest in your seat.</translation>
    </message>
    <message>
        <source>참고용 결과예요.
진단이 아니에요.</source>
        <translation>One reading is for reference only,
not a diagnosis.</translation>
    </message>
    <message>
        <source>직원과 함께
다시 확인해 보세요.</source>
        <translation>Please check it again
together with a staff member.</translation>
    </message>
    <message>
        <source>혈압이 높게 나왔어요.
며칠 안에 병원에서 상담해 보세요.</source>
        <translation>This reading is high.
Please see a doctor within the next few days.</translation>
    </message>
    <message>
        <source>좋은 범위예요.
지금처럼 건강을 잘 챙기세요.</source>
        <translation>This is a good range.
Keep looking after your health.</translation>
    </message>
    <message>
        <source>조금 높게 나왔어요.
가끔씩 다시 재어 보세요.</source>
        <translation>A little high.
Please check it again from time to time.</translation>
    </message>
    <message>
        <source>높게 나왔어요.
병원에 가시면 이 결과를 알려 주세요.</source>
        <translation>This reading is high.
Please tell your doctor at your next visit.</translation>
    </message>
    <message>
        <source>맥박 {pulse_per_min}회/분</source>
        <translation>Pulse {pulse_per_min} per minute</translation>
    </message>
    <message>
        <source>새 방문 시작</source>
        <translation>Start visit</translation>
    </message>
    <message>
        <source>시연용 모의 장치 (실제 측정 아님)</source>
        <translation>Demo simulator</translation>
    </message>
    <message>
        <source>어서 오세요.
혈압, 혈당, 체중을
무료로 재어 드려요.</source>
        <translation>Welcome. Check your blood pressure,
glucose and weight here, free.</translation>
    </message>
    <message>
        <source>시작하기</source>
        <extracomment>The welcome screen&apos;s one big button.</extracomment>
        <translation>Start</translation>
    </message>
    <message>
        <source>처음으로</source>
        <extracomment>Header button: end this visit and go back to the welcome screen.</extracomment>
        <translation>Start over</translation>
    </message>
    <message>
        <source>회원 번호를 누르거나
앱의 QR 코드를
아래 판독기에 대 주세요.</source>
        <translation>Type your member number,
or hold your app&apos;s QR code
to the reader below.</translation>
    </message>
    <message>
        <source>번호를 눌러 주세요</source>
        <translation>Type your number</translation>
    </message>
    <message>
        <source>번호를 다시 확인해 주세요.
(6~12자리 숫자)</source>
        <translation>Please check the number.
(6 to 12 digits)</translation>
    </message>
    <message>
        <source>QR 코드를 읽지 못했어요.
다시 대 주세요.</source>
        <translation>The QR code was not read.
Try again.</translation>
    </message>
    <message>
        <source>지우기</source>
        <extracomment>Keypad key: delete the last digit.</extracomment>
        <translation>Delete</translation>
    </message>
    <message>
        <source>확인</source>
        <extracomment>Keypad key: done typing the member number.</extracomment>
        <translation>OK</translation>
    </message>
    <message>
        <source>회원이 아니에요 (손님)</source>
        <translation>I am a guest</translation>
    </message>
    <message>
        <source>건강 정보 수집·이용 동의 (필수)
잰 값을 저장하고
결과를 보여 드리는 데 써요.
언제든 철회할 수 있어요.</source>
        <translation>Consent to health data (required).
Your readings are stored
and used to show your results.
You may withdraw at any time.</translation>
    </message>
    <message>
        <source>손님의 값은 이 키오스크에만
잠시 보관되고 하루 뒤 지워져요.</source>
        <translation>As a guest, your readings stay only
on this kiosk and are deleted after a day.</translation>
    </message>
    <message>
        <source>회원님의 값은
건강 기록으로 보내져요.</source>
        <translation>Your readings are sent to
your health record.</translation>
    </message>
    <message>
        <source>연구 공유 (선택): 안 함</source>
        <translation>Research sharing (optional): No</translation>
    </message>
    <message>
        <source>연구 공유 (선택): 함</source>
        <translation>Research sharing (optional): Yes</translation>
    </message>
    <message>
        <source>동의하고 재기</source>
        <translation>Agree and measure</translation>
    </message>
    <message>
        <source>동의하지 않아요</source>
        <translation>I do not agree</translation>
    </message>
    <message>
        <source>혈당: 검사지를 꽂아 주세요.
체중: 맨발로 저울에 올라요.</source>
        <translation>Glucose: insert a test strip.
Weight: step on the scale barefoot.</translation>
    </message>
    <message>
        <source>혈당: 검사지를
꽂아 주세요.
체중: 맨발로
저울에 올라요.</source>
        <translation>Glucose: insert
a test strip.
Weight: step on
the scale barefoot.</translation>
    </message>
    <message>
        <source>결과 보기</source>
        <translation>See results</translation>
    </message>
    <message>
        <source>오늘의 결과</source>
        <translation>Today&apos;s results</translation>
    </message>
    <message>
        <source>아직 잰 값이 없어요.</source>
        <translation>Nothing measured yet.</translation>
    </message>
    <message>
        <source>더 재기</source>
        <translation>Measure more</translation>
    </message>
    <message>
        <source>마치기</source>
        <translation>Finish</translation>
    </message>
    <message>
        <source>결과를 건강 기록으로
보내 드려요.</source>
        <translation>Your results are being sent
to your health record.</translation>
    </message>
    <message>
        <source>손님의 결과는 이 키오스크에만
보관되고 하루 뒤 지워져요.</source>
        <translation>As a guest, your results are kept
only on this kiosk and deleted after a day.</translation>
    </message>
    <message>
        <source>고맙습니다. 건강하세요.</source>
        <translation>Thank you. Stay healthy.</translation>
    </message>
    <message>
        <source>끝내기</source>
        <extracomment>Last button of a visit; the screen is cleared for the next visitor.</extracomment>
        <translation>Done</translation>
    </message>
    <message>
        <source>직원이 곧 와요.
편안히 앉아서
잠시 기다려 주세요.</source>
        <translation>A staff member is coming.
Please sit comfortably
and wait a moment.</translation>
    </message>
    <message>
        <source>직원 확인 후 처음으로</source>
        <translation>Staff: start over</translation>
    </message>
    <message>
        <source>더 쓸게요</source>
        <extracomment>On the &quot;starting over soon&quot; warning: keep this visit going.</extracomment>
        <translation>I need more time</translation>
    </message>
    <message>
        <source>화면을 쓰지 않으시면
{seconds}초 뒤 처음으로 돌아가요.</source>
        <translation>If the screen is not used,
it starts over in {seconds} s.</translation>
    </message>
    <message>
        <source>혈압</source>
        <translation>Blood pressure</translation>
    </message>
    <message>
        <source>혈당</source>
        <translation>Glucose</translation>
    </message>
    <message>
        <source>체중</source>
        <translation>Weight</translation>
    </message>
    <message>
        <source>체지방</source>
        <translation>Body fat</translation>
    </message>
    <message>
        <source>값을 받았어요</source>
        <translation>Reading received</translation>
    </message>
    <message>
        <source>무엇을 재어 볼까요?
재고 싶은 것을 눌러 주세요.</source>
        <translation>What would you like to measure?
Tap the ones you want.</translation>
    </message>
    <message>
        <source>모두 재기</source>
        <translation>Check everything</translation>
    </message>
    <message>
        <source>고른 것만 재기</source>
        <translation>Measure the ones I chose</translation>
    </message>
    <message>
        <source>혈압: 잴게요</source>
        <translation>Blood pressure: yes</translation>
    </message>
    <message>
        <source>혈당: 잴게요</source>
        <translation>Glucose: yes</translation>
    </message>
    <message>
        <source>체중·체지방: 잴게요</source>
        <translation>Weight and body fat: yes</translation>
    </message>
    <message>
        <source>혈압: 안 재요</source>
        <translation>Blood pressure: no</translation>
    </message>
    <message>
        <source>혈당: 안 재요</source>
        <translation>Glucose: no</translation>
    </message>
    <message>
        <source>체중·체지방: 안 재요</source>
        <translation>Weight and body fat: no</translation>
    </message>
    <message>
        <source>혈압 ({number}/{total})</source>
        <translation>Blood pressure ({number} of {total})</translation>
    </message>
    <message>
        <source>혈당 ({number}/{total})</source>
        <translation>Glucose ({number} of {total})</translation>
    </message>
    <message>
        <source>체중·체지방 ({number}/{total})</source>
        <translation>Weight and body fat ({number} of {total})</translation>
    </message>
    <message>
        <source>팔에 커프를 감고
혈압계의 시작 버튼을
눌러 주세요.</source>
        <translation>Wrap the cuff around your arm
and press start on the monitor.</translation>
    </message>
    <message>
        <source>혈당계에 검사지를 꽂고
손가락 끝의 피를
검사지에 대 주세요.</source>
        <translation>Insert a test strip in the meter
and touch it with a drop of blood
from your fingertip.</translation>
    </message>
    <message>
        <source>신발과 양말을 벗고
맨발로 저울에
올라 서 주세요.</source>
        <translation>Take off your shoes and socks
and step on the scale barefoot.</translation>
    </message>
    <message>
        <source>준비되시면 시작해 주세요.</source>
        <translation>Start when you are ready.</translation>
    </message>
    <message>
        <source>기기가 준비됐어요.</source>
        <translation>The device is ready.</translation>
    </message>
    <message>
        <source>재는 중이에요.
움직이지 말고 기다려 주세요.</source>
        <translation>Measuring.
Please keep still and wait.</translation>
    </message>
    <message>
        <source>커프 압력</source>
        <translation>Cuff pressure</translation>
    </message>
    <message>
        <source>기기가 지금 응답하지 않아요.
다시 해 보시거나 건너뛰세요.
직원에게 물어보셔도 돼요.</source>
        <translation>The device is not answering now.
Please try again or skip it.
You may ask a staff member.</translation>
    </message>
    <message>
        <source>잘 재었어요.</source>
        <translation>Measured.</translation>
    </message>
    <message>
        <source>다시 재기</source>
        <translation>Try again</translation>
    </message>
    <message>
        <source>이것은 건너뛰기</source>
        <translation>Skip this one</translation>
    </message>
    <message>
        <source>다음으로</source>
        <translation>Next</translation>
    </message>
    <message>
        <source>결과를 건강 기록으로
보내고 있어요.</source>
        <translation>Your results are being sent
to your health record.</translation>
    </message>
    <message>
        <source>결과를 건강 기록으로
보냈어요.</source>
        <translation>Your results were sent
to your health record.</translation>
    </message>
    <message>
        <source>인터넷이 다시 되면
건강 기록으로 보내 드려요.</source>
        <translation>Your results will be sent to your
health record when the network returns.</translation>
    </message>
    <message>
        <source>결과는 이 키오스크에 있어요.
직원이 확인하고 보내 드려요.</source>
        <translation>Your results are safe on this kiosk.
Staff will check and send them.</translation>
    </message>
    <message>
        <source>결과 인쇄하기</source>
        <translation>Print my results</translation>
    </message>
    <message>
        <source>인쇄하는 중이에요</source>
        <translation>Printing…</translation>
    </message>
    <message>
        <source>인쇄했어요</source>
        <translation>Printed</translation>
    </message>
    <message>
        <source>결과지를 준비했어요</source>
        <translation>Your summary is ready</translation>
    </message>
    <message>
        <source>인쇄하지 못했어요</source>
        <translation>Could not print</translation>
    </message>
    <message>
        <source>빛고을 건강 키오스크 오늘의 결과</source>
        <translation>Bitgoeul health kiosk: today&apos;s results</translation>
    </message>
    <message>
        <source>글자 크게</source>
        <extracomment>Header switch. English in two short lines: four header buttons share one portrait row.</extracomment>
        <translation>Large
text</translation>
    </message>
    <message>
        <source>고대비</source>
        <extracomment>Header switch (white on black). English in two short lines, like &quot;Large / text&quot;.</extracomment>
        <translation>High
contrast</translation>
    </message>
    <message>
        <source>켜짐</source>
        <translation>on</translation>
    </message>
    <message>
        <source>꺼짐</source>
        <translation>off</translation>
    </message>
    <message>
        <source>지난 기록</source>
        <translation>Earlier visits</translation>
    </message>
    <message>
        <source>심장 건강 추정</source>
        <translation>Heart estimate</translation>
    </message>
    <message>
        <source>오늘 결과</source>
        <translation>Today&apos;s results</translation>
    </message>
    <message>
        <source>지난 기록</source>
        <comment>TREND_TITLE</comment>
        <translation>Your earlier visits</translation>
    </message>
    <message>
        <source>처음 오셨네요.
아직 지난 결과가 없어요.</source>
        <translation>Your first visit:
no earlier results yet.</translation>
    </message>
    <message>
        <source>오늘</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>심장 건강 추정</source>
        <comment>RISK_TITLE</comment>
        <translation>Heart-health estimate</translation>
    </message>
    <message>
        <source>심장 건강을 추정해 볼까요?
세 가지를 골라 주세요.
답은 저장하지 않아요.</source>
        <translation>Shall we estimate your heart health?
Please choose three answers.
Your answers are not saved.</translation>
    </message>
    <message>
        <source>남자</source>
        <translation>Man</translation>
    </message>
    <message>
        <source>여자</source>
        <translation>Woman</translation>
    </message>
    <message>
        <source>담배를 피워요</source>
        <translation>I smoke</translation>
    </message>
    <message>
        <source>안 피워요</source>
        <translation>I do not smoke</translation>
    </message>
    <message>
        <source>추정 보기</source>
        <translation>See estimate</translation>
    </message>
    <message>
        <source>건너뛰기</source>
        <translation>Skip</translation>
    </message>
    <message>
        <source>이것은 추정이며 진단이 아니에요.
의사와 상담해 보세요.</source>
        <translation>This is an estimate, not a diagnosis.
Talk to your doctor.</translation>
    </message>
    <message>
        <source>WHO 2019 모델로 계산했어요.
한국인에게 꼭 맞지 않을 수 있어요.</source>
        <translation>Made with the WHO 2019 model;
it may not fit Koreans exactly.</translation>
    </message>
    <message>
        <source>이것은 추정이며
진단이 아니에요.
의사와 상담해 보세요.</source>
        <translation>This is an estimate,
not a diagnosis.
Talk to your doctor.</translation>
    </message>
    <message>
        <source>WHO 2019 모델로
계산했어요. 한국인에게
꼭 맞지 않을 수 있어요.</source>
        <translation>Made with the
WHO 2019 model;
it may not fit
Koreans exactly.</translation>
    </message>
    <message>
        <source>이 추정에는 체중계 측정이
필요해요. &apos;더 재기&apos;에서
체중을 재 주세요.</source>
        <translation>This estimate needs the scale.
Please weigh yourself
under &apos;Measure more&apos;.</translation>
    </message>
    <message>
        <source>이 추정에는 혈압 측정이
필요해요. &apos;더 재기&apos;에서
혈압을 재 주세요.</source>
        <translation>This estimate needs your
blood pressure. Please measure it
under &apos;Measure more&apos;.</translation>
    </message>
    <message>
        <source>죄송해요. 이 추정은
40~74세를 위해 만든 것이라
보여 드리기 어려워요.</source>
        <translation>Sorry, this estimate is made
for ages 40 to 74,
not for your age.</translation>
    </message>
    <message>
        <source>지금은 추정을
보여 드릴 수 없어요.</source>
        <translation>The estimate is not
available right now.</translation>
    </message>
    <message>
        <source>심장 건강 추정: 낮은 편</source>
        <translation>Heart-health estimate:
lower range</translation>
    </message>
    <message>
        <source>심장 건강 추정: 중간</source>
        <translation>Heart-health estimate:
middle range</translation>
    </message>
    <message>
        <source>심장 건강 추정: 높은 편</source>
        <translation>Heart-health estimate:
higher range</translation>
    </message>
    <message>
        <source>심장 건강 추정: 매우 높은 편</source>
        <translation>Heart-health estimate:
very high range</translation>
    </message>
    <message>
        <source>심장 건강 추정:
낮은 편</source>
        <translation>Heart-health
estimate: lower</translation>
    </message>
    <message>
        <source>심장 건강 추정:
중간</source>
        <translation>Heart-health
estimate: middle</translation>
    </message>
    <message>
        <source>심장 건강 추정:
높은 편</source>
        <translation>Heart-health
estimate: higher</translation>
    </message>
    <message>
        <source>심장 건강 추정:
매우 높은 편</source>
        <translation>Heart-health
estimate: very high</translation>
    </message>
    <message>
        <source>{year}년생</source>
        <translation>Born {year}</translation>
    </message>
    <message>
        <source>나와 비슷한 100명 중
약 {per_100}명이 10년 안에
심장병이나 뇌졸중을
겪을 수 있어요.</source>
        <translation>About {per_100} in 100
people like you may
have a heart attack
or stroke in 10 years.</translation>
    </message>
    <message>
        <source>나와 비슷한 100명 중 약 {per_100}명이
10년 안에 심장병이나 뇌졸중을
겪을 수 있어요.</source>
        <translation>About {per_100} in 100 people like you
may have a heart attack or stroke
within 10 years.</translation>
    </message>
    <message>
        <source>기준 없음 (참고)</source>
        <translation>For reference</translation>
    </message>
    <message>
        <source>빛고을 건강 키오스크</source>
        <translation>Bitgoeul health kiosk</translation>
    </message>
    <message>
        <source>소리 끄기</source>
        <translation>Sound off</translation>
    </message>
    <message>
        <source>소리 켜기</source>
        <translation>Sound on</translation>
    </message>
    <message>
        <source>작게</source>
        <translation>Quieter</translation>
    </message>
    <message>
        <source>크게</source>
        <translation>Louder</translation>
    </message>
    <message>
        <source>글자·소리</source>
        <translation>Text, sound</translation>
    </message>
    <message>
        <source>글자와 화면, 소리</source>
        <translation>Text, screen and sound</translation>
    </message>
    <message>
        <source>닫기</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>커프를 감은 팔과 혈압계</source>
        <translation>An arm with the cuff, and the monitor</translation>
    </message>
    <message>
        <source>검사지를 꽂은 혈당계와 손가락</source>
        <translation>The meter with a strip, and a finger</translation>
    </message>
    <message>
        <source>저울 위의 맨발</source>
        <translation>Bare feet on the scale</translation>
    </message>
    <message>
        <source>다음 결과 보기</source>
        <translation>More results</translation>
    </message>
    <message>
        <source>앞 결과 보기</source>
        <translation>Previous results</translation>
    </message>
</context>
</TS>
